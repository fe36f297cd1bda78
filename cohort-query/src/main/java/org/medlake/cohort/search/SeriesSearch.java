package org.medlake.cohort.search;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchRequest;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.medlake.cohort.index.ReleaseFlags;
import org.medlake.cohort.index.SeriesIndex;
import org.medlake.cohort.query.Criteria;
import org.medlake.cohort.query.EsQueryTranslator;
import org.medlake.cohort.query.QueryException;

/**
 * Searches the series index ({@value SeriesIndex#ALIAS}) with criteria, restricted to a set of projects and to
 * released series ({@code released: true}, see {@link org.medlake.cohort.release.ReleasePolicy}): unreleased series
 * are never returned, whatever the criteria.
 *
 * <p>Results are sorted by {@code series_instance_uid} ascending and paged with {@code search_after}: pass the
 * previous page's {@link Page#nextSearchAfter()} to get the next page; it is {@code null} on the last page.
 * A missing index or alias gives an empty page (nothing indexed yet), not an error. Thread-safe.
 */
public final class SeriesSearch {
    /** Largest allowed page size. */
    public static final int MAX_SIZE = 1000;
    /** Page size when none is given. */
    public static final int DEFAULT_SIZE = 50;

    private final ElasticsearchClient client;
    private final String esUrl;
    private final EsQueryTranslator translator = new EsQueryTranslator();
    private final String alias;

    /** A search on the contract's alias {@value SeriesIndex#ALIAS}; {@code esUrl} is only used in error messages. */
    public SeriesSearch(ElasticsearchClient client, String esUrl) {
        this(client, esUrl, SeriesIndex.DEFAULT);
    }

    /** A search on {@code names.alias()}; {@code esUrl} is only used in error messages. */
    public SeriesSearch(ElasticsearchClient client, String esUrl, SeriesIndex.Names names) {
        this.client = Objects.requireNonNull(client);
        this.esUrl = esUrl;
        this.alias = names.alias();
    }

    /** An updater of the release fields of documents behind the same alias (used after a de-id override). */
    public ReleaseFlags releaseFlags() {
        return new ReleaseFlags(client, esUrl, alias);
    }

    /**
     * One page of results.
     *
     * @param total           number of matching series (exact)
     * @param series          the documents of this page, as stored (field name to JSON value)
     * @param nextSearchAfter cursor for the next page, or null when this is the last page
     */
    public record Page(long total, List<Map<String, Object>> series, List<String> nextSearchAfter) {
        public Page {
            series = Collections.unmodifiableList(series);
            nextSearchAfter = nextSearchAfter == null ? null : List.copyOf(nextSearchAfter);
        }
    }

    /**
     * Runs a search.
     *
     * @param criteria    what to match
     * @param projects    the projects the authenticated caller may read; never taken from the request. Empty = no results.
     * @param size        page size, 1..{@value #MAX_SIZE}
     * @param searchAfter null for the first page, else the previous page's cursor (one series UID string)
     * @throws QueryException  on a bad size or cursor
     * @throws org.medlake.cohort.CohortException EXTERNAL when Elasticsearch fails
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Page search(Criteria criteria, Collection<String> projects, int size, List<?> searchAfter) {
        if (size < 1 || size > MAX_SIZE) {
            throw new QueryException("Page size " + size + " is out of range; 'size' must be between 1 and " + MAX_SIZE + ".");
        }
        if (searchAfter != null && (searchAfter.size() != 1 || !(searchAfter.get(0) instanceof String))) {
            throw new QueryException("'search_after' must be the 'next_search_after' value of the previous page: an array "
                    + "with one series UID string, but was " + searchAfter + ".");
        }
        Query query = translator.translateForProjects(criteria, projects);
        SearchRequest.Builder b = new SearchRequest.Builder()
                .index(alias)
                .ignoreUnavailable(true)
                .allowNoIndices(true)
                .query(query)
                .size(size)
                .trackTotalHits(t -> t.enabled(true))
                .sort(s -> s.field(f -> f.field("series_instance_uid").order(SortOrder.Asc)));
        if (searchAfter != null) {
            b.searchAfter(FieldValue.of((String) searchAfter.get(0)));
        }
        SearchResponse<Map> response;
        try {
            response = client.search(b.build(), Map.class);
        } catch (ElasticsearchException e) {
            if ("index_not_found_exception".equals(e.error().type())) {
                return new Page(0, List.of(), null);
            }
            throw SeriesIndexAccess.failed(esUrl, e);
        } catch (IOException e) {
            throw SeriesIndexAccess.failed(esUrl, e);
        }
        List<Map<String, Object>> docs = new ArrayList<>();
        String last = null;
        for (Hit<Map> hit : response.hits().hits()) {
            Map<String, Object> source = hit.source() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(hit.source());
            docs.add(Collections.unmodifiableMap(source));
            last = hit.id();
        }
        long total = response.hits().total() == null ? docs.size() : response.hits().total().value();
        List<String> next = docs.size() == size && last != null ? List.of(last) : null;
        return new Page(total, docs, next);
    }

    /** Error helper (kept apart to reuse SeriesIndex's wording). */
    private static final class SeriesIndexAccess {
        static RuntimeException failed(String url, Exception e) {
            return new org.medlake.cohort.CohortException(org.medlake.cohort.CohortException.ErrorCode.EXTERNAL,
                    "Elasticsearch search failed (" + url + "): " + e.getMessage() + ". Check that Elasticsearch is "
                            + "running (infra/bin/services start) and that the series index was built (medlake index).", e);
        }
    }
}
