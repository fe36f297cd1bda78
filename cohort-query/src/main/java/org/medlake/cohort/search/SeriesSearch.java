package org.medlake.cohort.search;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
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
 * <p>{@link #search(SearchRequest, Collection)} is the REST API's search (docs/search.md): criteria, facets, sort
 * on whitelisted fields with {@value #TIEBREAK} as the final tiebreak, and paging with {@code search_after}: pass
 * the previous page's {@link Result#nextSearchAfter()} to get the next page; it is {@code null} on the last page.
 * Paging through all pages yields every matching series exactly once as long as the index does not change meanwhile.
 * Documents without a value of a sort field come last in either order.
 * A missing index or alias gives an empty page (nothing indexed yet), not an error. Thread-safe.
 */
public final class SeriesSearch {
    /** Largest allowed page size. */
    public static final int MAX_SIZE = 1000;
    /** Page size when none is given. */
    public static final int DEFAULT_SIZE = 50;
    /** Most buckets of a histogram facet (age 0-150 in 10-year buckets needs 16). */
    static final int HISTOGRAM_BUCKETS = 1000;
    /** The final sort key of every search (unique per document, so paging never skips or repeats a series). */
    public static final String TIEBREAK = "series_instance_uid";

    private final ElasticsearchClient client;
    private final String esUrl;
    private final EsQueryTranslator translator = new EsQueryTranslator();
    private final String alias;
    private final boolean requestCache;

    /** A search on the contract's alias {@value SeriesIndex#ALIAS}; {@code esUrl} is only used in error messages. */
    public SeriesSearch(ElasticsearchClient client, String esUrl) {
        this(client, esUrl, SeriesIndex.DEFAULT);
    }

    /** A search on {@code names.alias()}; {@code esUrl} is only used in error messages. */
    public SeriesSearch(ElasticsearchClient client, String esUrl, SeriesIndex.Names names) {
        this.client = Objects.requireNonNull(client);
        this.esUrl = esUrl;
        this.alias = names.alias();
        this.requestCache = true;
    }

    private SeriesSearch(SeriesSearch base, boolean requestCache) {
        this.client = base.client;
        this.esUrl = base.esUrl;
        this.alias = base.alias;
        this.requestCache = requestCache;
    }

    /**
     * The same search without Elasticsearch's shard request cache (which otherwise answers repeated count+facet
     * requests, {@code size} 0, from memory). For benchmarks that must measure the work, not the cache.
     */
    public SeriesSearch withoutRequestCache() {
        return new SeriesSearch(this, false);
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
     * Runs a search (legacy form: no facets, series UID order).
     *
     * @param criteria    what to match
     * @param projects    the projects the authenticated caller may read; never taken from the request. Empty = no results.
     * @param size        page size, 1..{@value #MAX_SIZE}
     * @param searchAfter null for the first page, else the previous page's cursor (one series UID string)
     * @throws QueryException  on a bad size or cursor
     * @throws org.medlake.cohort.CohortException EXTERNAL when Elasticsearch fails
     */
    public Page search(Criteria criteria, Collection<String> projects, int size, List<?> searchAfter) {
        if (size < 1 || size > MAX_SIZE) {
            throw new QueryException("Page size " + size + " is out of range; 'size' must be between 1 and " + MAX_SIZE + ".");
        }
        if (searchAfter != null && (searchAfter.size() != 1 || !(searchAfter.get(0) instanceof String))) {
            throw new QueryException("'search_after' must be the 'next_search_after' value of the previous page: an array "
                    + "with one series UID string, but was " + searchAfter + ".");
        }
        Result r = search(new SearchRequest(criteria, size, List.of(), List.of(),
                searchAfter == null ? null : new ArrayList<>(searchAfter)), projects);
        return new Page(r.total(), r.items(), r.nextSearchAfter() == null ? null
                : r.nextSearchAfter().stream().map(String::valueOf).toList());
    }

    /**
     * The answer to a {@link SearchRequest}.
     *
     * @param total           number of matching series (exact)
     * @param items           the documents of this page, as stored (field name to JSON value)
     * @param facets          per requested facet name: {@code {"buckets":[{"key":..,"count":N}...]}}, terms facets also
     *                        {@code "other_count"} (series in values beyond the {@value Facets#MAX_TERMS} largest),
     *                        histogram buckets also {@code "to"} (exclusive upper bound); series without the field are
     *                        in no bucket
     * @param nextSearchAfter the cursor for the next page (the last item's sort values), or null on the last page
     */
    public record Result(long total, List<Map<String, Object>> items, Map<String, Object> facets, List<Object> nextSearchAfter) {
        public Result {
            items = Collections.unmodifiableList(items);
            facets = Collections.unmodifiableMap(facets);
            nextSearchAfter = nextSearchAfter == null ? null : Collections.unmodifiableList(new ArrayList<>(nextSearchAfter));
        }
    }

    /**
     * Runs a search restricted to released series of {@code projects} (the access-control filter, see
     * {@link EsQueryTranslator#translateForProjects}): criteria in the request can only narrow it, never widen it.
     *
     * @param request  the validated request
     * @param projects the projects the authenticated caller may read; never taken from the request. Empty = no results.
     * @throws QueryException when Elasticsearch rejects the cursor ({@code search_after} not from this sort)
     * @throws org.medlake.cohort.CohortException EXTERNAL when Elasticsearch fails
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Result search(SearchRequest request, Collection<String> projects) {
        Query query = translator.translateForProjects(request.criteria(), projects);
        co.elastic.clients.elasticsearch.core.SearchRequest.Builder b = new co.elastic.clients.elasticsearch.core.SearchRequest.Builder()
                .index(alias)
                .ignoreUnavailable(true)
                .allowNoIndices(true)
                .query(query)
                .size(request.size())
                .trackTotalHits(t -> t.enabled(true))
                .source(src -> src.filter(f -> f.excludes(Facets.BUCKET_FIELDS)))
                .requestCache(requestCache && request.size() == 0);
        for (SearchRequest.Sort s : request.effectiveSort()) {
            b.sort(so -> so.field(f -> f.field(s.field()).order(s.descending() ? SortOrder.Desc : SortOrder.Asc)
                    .missing(FieldValue.of("_last"))));
        }
        if (request.searchAfter() != null) {
            b.searchAfter(request.searchAfter().stream().map(SeriesSearch::fieldValue).toList());
        }
        for (String name : request.facets()) {
            Facets.Facet f = Facets.byName(name).orElseThrow();
            if (f.kind() == Facets.Kind.TERMS) {
                b.aggregations(name, a -> a.terms(t -> t.field(f.field()).size(Facets.MAX_TERMS)));
            } else {
                b.aggregations(name, a -> a.terms(t -> t.field(f.bucketField()).size(HISTOGRAM_BUCKETS)));
            }
        }
        SearchResponse<Map> response;
        try {
            response = client.search(b.build(), Map.class);
        } catch (ElasticsearchException e) {
            if ("index_not_found_exception".equals(e.error().type())) {
                return empty(request);
            }
            if (e.status() == 400 && request.searchAfter() != null) {
                throw new QueryException("'search_after' " + request.searchAfter() + " does not fit the sort "
                        + request.effectiveSort().stream().map(SearchRequest.Sort::field).toList() + ": Elasticsearch says "
                        + e.error().reason() + ". Pass the 'next_search_after' of the previous page of the same query and sort.");
            }
            throw SeriesIndexAccess.failed(esUrl, e);
        } catch (IOException e) {
            throw SeriesIndexAccess.failed(esUrl, e);
        }
        List<Map<String, Object>> docs = new ArrayList<>();
        List<FieldValue> last = null;
        for (Hit<Map> hit : response.hits().hits()) {
            Map<String, Object> source = hit.source() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(hit.source());
            docs.add(Collections.unmodifiableMap(source));
            last = hit.sort();
        }
        long total = response.hits().total() == null ? docs.size() : response.hits().total().value();
        List<Object> next = null;
        if (request.size() > 0 && docs.size() == request.size() && last != null) {
            next = new ArrayList<>();
            for (FieldValue v : last) {
                next.add(v.isNull() ? null : v._get());
            }
        }
        Map<String, Object> facets = new LinkedHashMap<>();
        for (String name : request.facets()) {
            facets.put(name, facet(Facets.byName(name).orElseThrow(), response.aggregations().get(name)));
        }
        return new Result(total, docs, facets, next);
    }

    private static Result empty(SearchRequest request) {
        Map<String, Object> facets = new LinkedHashMap<>();
        for (String name : request.facets()) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("buckets", List.of());
            if (Facets.byName(name).orElseThrow().kind() == Facets.Kind.TERMS) {
                f.put("other_count", 0L);
            }
            facets.put(name, f);
        }
        return new Result(0, List.of(), facets, null);
    }

    private static Map<String, Object> facet(Facets.Facet f, co.elastic.clients.elasticsearch._types.aggregations.Aggregate agg) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> buckets = new ArrayList<>();
        if (f.kind() == Facets.Kind.TERMS) {
            long other = 0;
            if (agg.isSterms()) {
                for (var bucket : agg.sterms().buckets().array()) {
                    buckets.add(bucket(bucket.key().stringValue(), null, bucket.docCount()));
                }
                other = agg.sterms().sumOtherDocCount() == null ? 0 : agg.sterms().sumOtherDocCount();
            }
            // an index without any value for the field answers "umterms" (unmapped): no buckets
            out.put("buckets", buckets);
            out.put("other_count", other);
        } else {
            // terms over the bucket field (see Facets.Facet#bucketField), in key order like a histogram
            java.util.TreeMap<Double, Long> byKey = new java.util.TreeMap<>();
            if (agg.isSterms()) {
                for (var bucket : agg.sterms().buckets().array()) {
                    byKey.put(Double.parseDouble(bucket.key().stringValue()), bucket.docCount());
                }
            }
            byKey.forEach((key, count) -> buckets.add(bucket(number(key), number(key + f.interval()), count)));
            out.put("buckets", buckets);
        }
        return out;
    }

    private static Map<String, Object> bucket(Object key, Object to, long count) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", key);
        if (to != null) {
            m.put("to", to);
        }
        m.put("count", count);
        return m;
    }

    /** Whole numbers as longs (age 40, not 40.0), others as doubles. */
    private static Object number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? (Object) (long) d : (Object) d;
    }

    private static FieldValue fieldValue(Object v) {
        if (v == null) {
            return FieldValue.NULL;
        }
        if (v instanceof Long l) {
            return FieldValue.of(l);
        }
        if (v instanceof Double d) {
            return FieldValue.of(d);
        }
        return FieldValue.of((String) v);
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
