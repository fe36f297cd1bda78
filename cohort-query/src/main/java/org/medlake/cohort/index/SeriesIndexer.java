package org.medlake.cohort.index;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import java.io.IOException;
import java.io.InputStream;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.medlake.cohort.CohortException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringReader;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.release.CurationState;
import org.medlake.cohort.release.CurationTables.SeriesCuration;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.Tables;
import org.medlake.lake.Tables.Instances;

/**
 * Builds the series search index from the lake's {@code instances} Delta table and its curation tables
 * ({@code series_curation}, {@code deid_overrides}; either may be absent and then counts as empty).
 *
 * <p>{@link #index(LakeLayout)}: puts the index template {@code infra/elasticsearch/series-template.json}, creates
 * {@value SeriesIndex#INDEX_V1} with alias {@value SeriesIndex#ALIAS} if absent, reads the latest {@code instances}
 * snapshot and the curation tables, aggregates one document per series (see {@link #aggregate(List, CurationState)}),
 * bulk-indexes them with
 * {@code _id = series_instance_uid}, deletes documents of series that are no longer in the table (so the index
 * mirrors the lake: Delta stays the source of truth) and refreshes. Re-running is idempotent.
 * A lake without an {@code instances} table yields 0 documents and table version -1.
 */
public final class SeriesIndexer {
    /** Number of documents per bulk request. */
    static final int BULK_SIZE = 1000;

    private static final List<String> COLUMNS = List.of(Instances.SOP_INSTANCE_UID, Instances.SERIES_INSTANCE_UID,
            Instances.STUDY_INSTANCE_UID, Instances.PATIENT_ID, Instances.MODALITY, Instances.PROJECT, Instances.SITE,
            Instances.SERIES_DESCRIPTION, Instances.STUDY_DESCRIPTION, Instances.STUDY_DATE, Instances.BODY_PART_EXAMINED,
            Instances.MANUFACTURER, Instances.PATIENT_SEX, Instances.PATIENT_AGE_YEARS, Instances.SERIES_NUMBER,
            Instances.SIZE_BYTES, Instances.SOP_CLASS_UID);
    /** Series-level fields copied from the instances (first non-null value in SOP Instance UID order). */
    private static final List<String> COPIED = List.of(Instances.SERIES_INSTANCE_UID, Instances.STUDY_INSTANCE_UID,
            Instances.PATIENT_ID, Instances.MODALITY, Instances.PROJECT, Instances.SITE, Instances.SERIES_DESCRIPTION,
            Instances.STUDY_DESCRIPTION, Instances.STUDY_DATE, Instances.BODY_PART_EXAMINED, Instances.MANUFACTURER,
            Instances.PATIENT_SEX, Instances.PATIENT_AGE_YEARS, Instances.SERIES_NUMBER, Instances.SOP_CLASS_UID);

    private final ElasticsearchClient client;
    private final DeltaTableReader reader;
    private final String esUrl;
    private final SeriesIndex.Names names;

    /** An indexer on the contract's index names ({@link SeriesIndex#DEFAULT}). */
    public SeriesIndexer(ElasticsearchClient client, DeltaTableReader reader, String esUrl) {
        this(client, reader, esUrl, SeriesIndex.DEFAULT);
    }

    /**
     * @param client Elasticsearch client (see {@link SeriesIndex#connect})
     * @param reader Delta reader
     * @param esUrl  the client's URL, only used in error messages
     * @param names  alias and index to write
     */
    public SeriesIndexer(ElasticsearchClient client, DeltaTableReader reader, String esUrl, SeriesIndex.Names names) {
        this.client = Objects.requireNonNull(client);
        this.reader = Objects.requireNonNull(reader);
        this.esUrl = esUrl;
        this.names = Objects.requireNonNull(names);
    }

    /** Outcome of one indexing run: documents written and the {@code instances} version they reflect (-1 if absent). */
    public record Result(long seriesIndexed, long tableVersion) {}

    /** Page size when listing the index's documents to find stale ones. */
    private static final int LIST_PAGE = 5000;

    /**
     * Indexes the lake. See the class comment.
     *
     * @throws CohortException EXTERNAL when Elasticsearch fails or the table cannot be read
     */
    public Result index(LakeLayout lake) {
        ensureIndex();
        var data = reader.read(lake.table(Tables.INSTANCES), COLUMNS);
        CurationState curation = CurationState.read(reader, lake);
        List<Map<String, Object>> docs = data.map(d -> aggregate(d.rows(), curation)).orElse(List.of());
        for (int from = 0; from < docs.size(); from += BULK_SIZE) {
            bulk(docs.subList(from, Math.min(docs.size(), from + BULK_SIZE)));
        }
        Set<String> live = new HashSet<>();
        docs.forEach(d -> live.add((String) d.get("series_instance_uid")));
        deleteStale(live);
        refresh();
        return new Result(docs.size(), data.map(d -> d.version()).orElse(-1L));
    }

    /**
     * Puts the index template and creates {@value SeriesIndex#INDEX_V1} with alias {@value SeriesIndex#ALIAS} if
     * the index does not exist yet. Idempotent.
     */
    public void ensureIndex() {
        try (InputStream template = SeriesIndexer.class.getResourceAsStream(SeriesIndex.TEMPLATE_RESOURCE)) {
            if (template == null) {
                throw new CohortException(CohortException.ErrorCode.INTERNAL, "Index template resource "
                        + SeriesIndex.TEMPLATE_RESOURCE + " is missing from the classpath; rebuild cohort-query (its pom "
                        + "copies infra/elasticsearch/*.json into the jar).");
            }
            String templateJson = new String(template.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            client.indices().putIndexTemplate(b -> b.name(SeriesIndex.TEMPLATE_NAME).withJson(new StringReader(templateJson)));
            if (client.indices().exists(e -> e.index(names.index())).value()) {
                // The template only applies to new indices; fields added since (e.g. the curation fields) are
                // added to the existing index so that re-indexing works without a rebuild. Additive changes only.
                JsonNode mappings = new ObjectMapper().readTree(templateJson).path("template").path("mappings");
                client.indices().putMapping(m -> m.index(names.index()).withJson(new StringReader(mappings.toString())));
            } else {
                try {
                    client.indices().create(c -> c.index(names.index()).aliases(names.alias(), a -> a));
                } catch (ElasticsearchException e) {
                    if (!"resource_already_exists_exception".equals(e.error().type())) {
                        throw e;
                    }
                }
            }
            if (!client.indices().existsAlias(a -> a.name(names.alias())).value()) {
                client.indices().putAlias(a -> a.index(names.index()).name(names.alias()));
            }
        } catch (IOException | ElasticsearchException e) {
            throw SeriesIndex.unreachable(esUrl, "preparing index " + names.index(), e);
        }
    }

    /** {@link #aggregate(List, CurationState)} for a lake without curation tables: every series is unreleased. */
    public static List<Map<String, Object>> aggregate(List<Map<String, Object>> instances) {
        return aggregate(instances, CurationState.EMPTY);
    }

    /**
     * One document per series from instance rows (maps with the {@code instances} column names) and the curation
     * state. Series-level fields
     * take the first non-null value in SOP Instance UID order; {@code instance_count} counts the rows and
     * {@code size_bytes} sums them; {@code study_date} is written as {@code YYYY-MM-DD}; null fields are omitted.
     * From the series' {@code series_curation} row, if any: {@code series_type}, {@code series_type_confidence},
     * {@code deid_status}, {@code completeness_status}, {@code qa_status}, {@code classification_attributes}
     * (object; null values dropped). Always: {@code released} and {@code deid_override} from
     * {@link org.medlake.cohort.release.ReleasePolicy}. Documents are returned in series UID order.
     */
    public static List<Map<String, Object>> aggregate(List<Map<String, Object>> instances, CurationState curation) {
        List<Map<String, Object>> sorted = new ArrayList<>(instances);
        sorted.sort(Comparator.comparing(r -> String.valueOf(r.get(Instances.SOP_INSTANCE_UID))));
        Map<String, Map<String, Object>> bySeries = new TreeMap<>();
        for (Map<String, Object> row : sorted) {
            String series = (String) row.get(Instances.SERIES_INSTANCE_UID);
            if (series == null) {
                continue;
            }
            Map<String, Object> doc = bySeries.computeIfAbsent(series, s -> new LinkedHashMap<>());
            for (String f : COPIED) {
                Object v = row.get(f);
                if (v != null && !doc.containsKey(f)) {
                    doc.put(f, v instanceof LocalDate d ? d.toString() : v);
                }
            }
            doc.merge("instance_count", 1, (a, b) -> (Integer) a + (Integer) b);
            Object size = row.get(Instances.SIZE_BYTES);
            long bytes = size instanceof Number n ? n.longValue() : 0L;
            doc.merge("size_bytes", bytes, (a, b) -> (Long) a + (Long) b);
        }
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Map<String, Object> doc : bySeries.values()) {
            String series = (String) doc.get(Instances.SERIES_INSTANCE_UID);
            curation.curation(series).ifPresent(row -> addCuration(doc, row));
            doc.putAll(ReleaseFlags.fields(curation.outcome(series)));
            Map<String, Object> ordered = new LinkedHashMap<>();
            for (String f : SeriesIndex.DOCUMENT_FIELDS) {
                if (doc.containsKey(f)) {
                    ordered.put(f, doc.get(f));
                }
            }
            docs.add(ordered);
        }
        return docs;
    }

    private static void addCuration(Map<String, Object> doc, Map<String, Object> row) {
        for (String f : List.of(SeriesCuration.SERIES_TYPE, SeriesCuration.SERIES_TYPE_CONFIDENCE, SeriesCuration.DEID_STATUS,
                SeriesCuration.COMPLETENESS_STATUS, SeriesCuration.QA_STATUS)) {
            Object v = row.get(f);
            if (v != null) {
                doc.put(f, v);
            }
        }
        if (row.get(SeriesCuration.CLASSIFICATION_ATTRIBUTES) instanceof Map<?, ?> attributes) {
            Map<String, Object> clean = new TreeMap<>();
            attributes.forEach((k, v) -> {
                if (k != null && v != null) {
                    clean.put(String.valueOf(k), v);
                }
            });
            doc.put(SeriesCuration.CLASSIFICATION_ATTRIBUTES, clean);
        }
    }

    private void bulk(List<Map<String, Object>> docs) {
        BulkRequest.Builder b = new BulkRequest.Builder().index(names.index());
        for (Map<String, Object> doc : docs) {
            String id = (String) doc.get("series_instance_uid");
            b.operations(op -> op.index(i -> i.id(id).document(doc)));
        }
        BulkResponse response;
        try {
            response = client.bulk(b.build());
        } catch (IOException | ElasticsearchException e) {
            throw SeriesIndex.unreachable(esUrl, "bulk-indexing " + docs.size() + " series", e);
        }
        if (response.errors()) {
            BulkResponseItem failed = response.items().stream().filter(i -> i.error() != null).findFirst().orElseThrow();
            long count = response.items().stream().filter(i -> i.error() != null).count();
            throw new CohortException(CohortException.ErrorCode.INTERNAL, count + " of " + docs.size() + " series "
                    + "documents were rejected by Elasticsearch, e.g. series " + failed.id() + ": "
                    + failed.error().type() + ": " + failed.error().reason() + ". The documents do not fit the mapping in "
                    + "infra/elasticsearch/series-template.json; fix the indexer or the template and re-index.");
        }
    }

    /** Deletes the documents whose series is not in {@code live}. Lists ids page by page (no delete-by-query module). */
    private void deleteStale(Set<String> live) {
        refresh();
        List<String> stale = new ArrayList<>();
        try {
            List<FieldValue> after = null;
            while (true) {
                List<FieldValue> cursor = after;
                SearchResponse<Void> page = client.search(r -> {
                    r.index(names.index()).size(LIST_PAGE).source(src -> src.fetch(false))
                            .sort(so -> so.field(f -> f.field("series_instance_uid")));
                    if (cursor != null) {
                        r.searchAfter(cursor);
                    }
                    return r;
                }, Void.class);
                List<Hit<Void>> hits = page.hits().hits();
                for (Hit<Void> hit : hits) {
                    if (!live.contains(hit.id())) {
                        stale.add(hit.id());
                    }
                }
                if (hits.size() < LIST_PAGE) {
                    break;
                }
                after = hits.get(hits.size() - 1).sort();
            }
            for (int from = 0; from < stale.size(); from += BULK_SIZE) {
                BulkRequest.Builder b = new BulkRequest.Builder().index(names.index());
                stale.subList(from, Math.min(stale.size(), from + BULK_SIZE))
                        .forEach(id -> b.operations(op -> op.delete(d -> d.id(id))));
                client.bulk(b.build());
            }
        } catch (IOException | ElasticsearchException e) {
            throw SeriesIndex.unreachable(esUrl, "removing series that left the lake", e);
        }
    }

    private void refresh() {
        try {
            client.indices().refresh(r -> r.index(names.alias()));
        } catch (IOException | ElasticsearchException e) {
            throw SeriesIndex.unreachable(esUrl, "refreshing " + names.alias(), e);
        }
    }
}
