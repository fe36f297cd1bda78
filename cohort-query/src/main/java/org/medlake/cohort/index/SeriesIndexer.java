package org.medlake.cohort.index;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.medlake.cohort.CohortException;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.release.CurationState;
import org.medlake.cohort.release.CurationTables;
import org.medlake.cohort.release.CurationTables.SeriesCuration;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.Tables;
import org.medlake.lake.Tables.Instances;

/**
 * Builds and maintains the series search index from the lake's {@code instances} Delta table and its curation
 * tables ({@code series_curation}, {@code deid_overrides}; either may be absent and then counts as empty). Delta is
 * the source of truth: the index holds nothing that cannot be rebuilt from it.
 *
 * <p>Index layout: readers use the alias {@code names.alias()}; it points at exactly one concrete index named
 * {@code <prefix>-v<template version>-<timestamp>} whose mapping comes from the template
 * {@code infra/elasticsearch/series-template.json} (its {@code _meta.version} is the template version). The concrete
 * index's mapping {@code _meta} records what it reflects: {@code template_version}, {@code instances_version},
 * {@code series_curation_version}, {@code deid_overrides_version} (-1 = table absent).
 *
 * <ul>
 *   <li>{@link #rebuild(LakeLayout)}: creates a new concrete index, bulk-loads one document per series (refresh
 *       disabled during the load), force-merges it to one segment, then moves the alias to it in one atomic {@code _aliases} request (readers never
 *       see a missing or half-built index) and deletes the indices the alias pointed at before.</li>
 *   <li>{@link #index(LakeLayout)} (incremental): when the alias is missing, or its index was built from another
 *       template version or carries no state, it rebuilds. Otherwise it asks the Delta log which data files the
 *       commits since the recorded versions added or removed, in all three tables, and re-writes or deletes only the
 *       documents of the series in those files (a change in curation or release counts as a change of the series).
 *       When the log cannot tell (commits cleaned up, a removed file vacuumed, a table recreated) it compares
 *       everything: every document is re-written and documents of series no longer in the lake are deleted.</li>
 * </ul>
 *
 * <p>Documents: see {@link #aggregate(List, CurationState)}; {@code _id = series_instance_uid}. A lake without an
 * {@code instances} table yields no documents and table version -1. Not safe to run two
 * indexers on the same names at once. A de-identification override updates the release fields in place through the
 * alias ({@link ReleaseFlags}); commits that land while a rebuild loads (such an override among them) are applied to
 * the new index incrementally right after the swap.
 */
public final class SeriesIndexer {
    /** Number of documents per bulk request. */
    static final int BULK_SIZE = 2000;
    /** Mapping {@code _meta} keys of the state the index reflects. */
    public static final String META_TEMPLATE_VERSION = "template_version";
    public static final String META_INSTANCES_VERSION = "instances_version";
    public static final String META_CURATION_VERSION = "series_curation_version";
    public static final String META_OVERRIDES_VERSION = "deid_overrides_version";
    /**
     * Which lake the index reflects: the Delta table id of its {@code instances} table. Table versions alone cannot
     * tell two lakes apart (a lake deleted and made again at the same path starts at the same versions).
     */
    public static final String META_LAKE_ID = "lake_id";

    /** Columns read from {@code instances} when the table has them (older lakes may lack the newer ones). */
    private static final List<String> COLUMNS = List.of(Instances.SOP_INSTANCE_UID, Instances.SERIES_INSTANCE_UID,
            Instances.STUDY_INSTANCE_UID, Instances.PATIENT_ID, Instances.MODALITY, Instances.PROJECT, Instances.SITE,
            Instances.SERIES_DESCRIPTION, Instances.STUDY_DESCRIPTION, Instances.STUDY_DATE, Instances.BODY_PART_EXAMINED,
            Instances.MANUFACTURER, Instances.PATIENT_SEX, Instances.PATIENT_AGE_YEARS, Instances.MAGNETIC_FIELD_STRENGTH,
            Instances.SERIES_NUMBER, Instances.SIZE_BYTES, Instances.SOP_CLASS_UID);
    /** Series-level fields copied from the instances (first non-null value in SOP Instance UID order). */
    private static final List<String> COPIED = List.of(Instances.SERIES_INSTANCE_UID, Instances.STUDY_INSTANCE_UID,
            Instances.PATIENT_ID, Instances.MODALITY, Instances.PROJECT, Instances.SITE, Instances.SERIES_DESCRIPTION,
            Instances.STUDY_DESCRIPTION, Instances.STUDY_DATE, Instances.BODY_PART_EXAMINED, Instances.MANUFACTURER,
            Instances.PATIENT_SEX, Instances.PATIENT_AGE_YEARS, Instances.MAGNETIC_FIELD_STRENGTH, Instances.SERIES_NUMBER,
            Instances.SOP_CLASS_UID);
    /** Page size when listing the index's documents to find stale ones. */
    private static final int LIST_PAGE = 5000;

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
     * @param names  alias and index prefix to maintain
     */
    public SeriesIndexer(ElasticsearchClient client, DeltaTableReader reader, String esUrl, SeriesIndex.Names names) {
        this.client = Objects.requireNonNull(client);
        this.reader = Objects.requireNonNull(reader);
        this.esUrl = esUrl;
        this.names = Objects.requireNonNull(names);
    }

    /** How a run brought the index up to date. */
    public enum Mode {
        /** A new index was built and the alias moved to it. */
        REBUILT,
        /** Only the series the Delta log names as changed were re-written or deleted. */
        INCREMENTAL,
        /** The log could not tell what changed: every document was re-written and stale ones deleted. */
        FULL_COMPARE,
        /** Nothing changed since the recorded versions. */
        UP_TO_DATE
    }

    /**
     * Outcome of one run.
     *
     * @param mode          how the index was updated
     * @param index         the concrete index behind the alias afterwards
     * @param seriesIndexed documents written in this run
     * @param seriesDeleted documents deleted in this run (series that left the lake)
     * @param tableVersion  the {@code instances} version the index now reflects (-1 if the table is absent)
     */
    public record Result(Mode mode, String index, long seriesIndexed, long seriesDeleted, long tableVersion) {}

    /** Versions of the three source tables (-1 = absent). */
    private record State(long instances, long curation, long overrides) {
        Map<String, JsonData> meta(int templateVersion) {
            Map<String, JsonData> m = new LinkedHashMap<>();
            m.put(META_TEMPLATE_VERSION, JsonData.of(templateVersion));
            m.put(META_INSTANCES_VERSION, JsonData.of(instances));
            m.put(META_CURATION_VERSION, JsonData.of(curation));
            m.put(META_OVERRIDES_VERSION, JsonData.of(overrides));
            return m;
        }
    }

    /** The template file and its version. */
    private record Template(String json, int version) {}

    /** A snapshot of the lake's source tables. */
    private record Source(List<Map<String, Object>> rows, CurationState curation, State state) {}

    /**
     * Incremental update (see the class comment); rebuilds when there is no usable index yet.
     *
     * @throws CohortException EXTERNAL when Elasticsearch fails or a table cannot be read
     */
    public Result index(LakeLayout lake) {
        Template template = putTemplateFile();
        Optional<String> current = currentIndex();
        Optional<Map<String, Long>> meta = current.flatMap(this::meta);
        if (current.isEmpty() || meta.isEmpty() || meta.get().getOrDefault(META_TEMPLATE_VERSION, -1L) != template.version()
                || !meta.get().keySet().containsAll(List.of(META_INSTANCES_VERSION, META_CURATION_VERSION, META_OVERRIDES_VERSION))
                || !lakeId(lake).equals(metaText(current.get(), META_LAKE_ID))) {
            return rebuild(lake, template);
        }
        String index = current.get();
        State before = new State(meta.get().get(META_INSTANCES_VERSION), meta.get().get(META_CURATION_VERSION),
                meta.get().get(META_OVERRIDES_VERSION));
        Source source = read(lake);
        State now = source.state();
        if (now.equals(before)) {
            return new Result(Mode.UP_TO_DATE, index, 0, 0, now.instances());
        }
        Optional<Set<String>> changed = changedSeries(lake, before, now);
        long written;
        long deleted;
        Mode mode;
        if (changed.isPresent()) {
            Set<String> series = changed.get();
            List<Map<String, Object>> rows = source.rows().stream()
                    .filter(r -> series.contains((String) r.get(Instances.SERIES_INSTANCE_UID))).toList();
            List<Map<String, Object>> docs = aggregate(rows, source.curation());
            bulk(index, docs);
            Set<String> gone = new HashSet<>(series);
            docs.forEach(d -> gone.remove((String) d.get(Instances.SERIES_INSTANCE_UID)));
            delete(index, new ArrayList<>(gone));
            written = docs.size();
            deleted = gone.size();
            mode = Mode.INCREMENTAL;
        } else {
            List<Map<String, Object>> docs = aggregate(source.rows(), source.curation());
            bulk(index, docs);
            Set<String> live = new HashSet<>();
            docs.forEach(d -> live.add((String) d.get(Instances.SERIES_INSTANCE_UID)));
            refresh(index);
            List<String> stale = stale(index, live);
            delete(index, stale);
            written = docs.size();
            deleted = stale.size();
            mode = Mode.FULL_COMPARE;
        }
        putMeta(index, withLakeId(now.meta(template.version()), lake));
        refresh(index);
        return new Result(mode, index, written, deleted, now.instances());
    }

    /**
     * Builds a new index from Delta and swaps the alias to it atomically; the previous indices are deleted after
     * the swap. Readers see the old index until the swap and the complete new one after it.
     *
     * @throws CohortException EXTERNAL when Elasticsearch fails or a table cannot be read
     */
    public Result rebuild(LakeLayout lake) {
        return rebuild(lake, putTemplateFile());
    }

    private Result rebuild(LakeLayout lake, Template template) {
        Source source = read(lake);
        List<Map<String, Object>> docs = aggregate(source.rows(), source.curation());
        String index = names.newIndexName(template.version());
        List<String> old = behindAlias();
        try {
            client.indices().create(c -> c.index(index).settings(s -> s.refreshInterval(t -> t.time("-1"))));
            bulk(index, docs);
            client.indices().putSettings(p -> p.index(index).settings(s -> s.refreshInterval(t -> t.time("1s"))));
            putMeta(index, withLakeId(source.state().meta(template.version()), lake));
            refresh(index);
            // One segment: the index is read-mostly, and facet counts over one segment need no ordinal mapping.
            client.indices().forcemerge(f -> f.index(index).maxNumSegments(1L));
            client.indices().updateAliases(u -> {
                for (String o : old) {
                    u.actions(a -> a.remove(r -> r.index(o).alias(names.alias())));
                }
                return u.actions(a -> a.add(ad -> ad.index(index).alias(names.alias())));
            });
        } catch (IOException | ElasticsearchException e) {
            try {
                client.indices().delete(d -> d.index(index).ignoreUnavailable(true));
            } catch (IOException | ElasticsearchException ignored) {
                // best effort: the half-built index is not behind the alias, readers never see it
            }
            throw SeriesIndex.unreachable(esUrl, "rebuilding the series index into " + index, e);
        }
        for (String o : old) {
            try {
                client.indices().delete(d -> d.index(o).ignoreUnavailable(true));
            } catch (IOException | ElasticsearchException e) {
                throw SeriesIndex.unreachable(esUrl, "deleting the previous series index " + o + " after the alias moved to "
                        + index + " (delete it by hand; readers already use the new one)", e);
            }
        }
        // Commits that landed while the new index was loading (e.g. a de-id override, whose in-place update went to
        // the old index) are applied now, incrementally: the new index records the versions it was built from.
        State latest = new State(latestVersion(lake.table(Tables.INSTANCES)),
                latestVersion(lake.table(CurationTables.SERIES_CURATION)), latestVersion(lake.table(CurationTables.DEID_OVERRIDES)));
        if (!latest.equals(source.state())) {
            Result caughtUp = index(lake);
            return new Result(Mode.REBUILT, index, docs.size() + caughtUp.seriesIndexed(), caughtUp.seriesDeleted(),
                    caughtUp.tableVersion());
        }
        return new Result(Mode.REBUILT, index, docs.size(), 0, source.state().instances());
    }

    private long latestVersion(Path table) {
        return reader.latestVersion(table).orElse(-1L);
    }

    /** The concrete index the alias points at, if any (the newest name if several). */
    public Optional<String> currentIndex() {
        List<String> behind = behindAlias();
        return behind.isEmpty() ? Optional.empty() : Optional.of(behind.get(behind.size() - 1));
    }

    private List<String> behindAlias() {
        try {
            if (!client.indices().existsAlias(a -> a.name(names.alias())).value()) {
                return List.of();
            }
            return client.indices().getAlias(a -> a.name(names.alias())).result().keySet().stream().sorted().toList();
        } catch (IOException | ElasticsearchException e) {
            throw SeriesIndex.unreachable(esUrl, "resolving alias " + names.alias(), e);
        }
    }

    /** The numeric entries of the index's mapping {@code _meta}, if it has any. */
    private Optional<Map<String, Long>> meta(String index) {
        try {
            var mapping = client.indices().getMapping(g -> g.index(index)).result().get(index);
            if (mapping == null || mapping.mappings().meta() == null || mapping.mappings().meta().isEmpty()) {
                return Optional.empty();
            }
            Map<String, Long> out = new TreeMap<>();
            mapping.mappings().meta().forEach((k, v) -> {
                String text = v.toJson().toString();
                try {
                    out.put(k, Long.parseLong(text));
                } catch (NumberFormatException ignored) {
                    // not one of ours
                }
            });
            return Optional.of(out);
        } catch (IOException | ElasticsearchException e) {
            throw SeriesIndex.unreachable(esUrl, "reading the state of " + index, e);
        }
    }

    private static Map<String, JsonData> withLakeId(Map<String, JsonData> meta, LakeLayout lake) {
        meta.put(META_LAKE_ID, JsonData.of(lakeId(lake)));
        return meta;
    }

    /**
     * The lake's identity: the id in the {@code metaData} action of the {@code instances} table's first commit, else
     * (no table yet, or its first commit cleaned up) the lake folder's path.
     */
    static String lakeId(LakeLayout lake) {
        Path first = lake.table(Tables.INSTANCES).resolve("_delta_log").resolve("00000000000000000000.json");
        if (Files.isRegularFile(first)) {
            try {
                ObjectMapper mapper = new ObjectMapper();
                for (String line : Files.readAllLines(first, StandardCharsets.UTF_8)) {
                    JsonNode id = line.isBlank() ? null : mapper.readTree(line).path("metaData").path("id");
                    if (id != null && id.isTextual()) {
                        return "delta:" + id.asText();
                    }
                }
            } catch (IOException e) {
                // fall through to the path: a rebuild is the safe answer to an unreadable log
            }
        }
        return "path:" + lake.root().toAbsolutePath().normalize();
    }

    /** A text entry of the index's mapping {@code _meta}, or null. */
    private String metaText(String index, String key) {
        try {
            var mapping = client.indices().getMapping(g -> g.index(index)).result().get(index);
            if (mapping == null || mapping.mappings().meta() == null) {
                return null;
            }
            JsonData v = mapping.mappings().meta().get(key);
            return v == null ? null : v.to(String.class);
        } catch (IOException | ElasticsearchException e) {
            throw SeriesIndex.unreachable(esUrl, "reading the state of " + index, e);
        }
    }

    private void putMeta(String index, Map<String, JsonData> meta) {
        try {
            client.indices().putMapping(m -> m.index(index).meta(meta));
        } catch (IOException | ElasticsearchException e) {
            throw SeriesIndex.unreachable(esUrl, "recording the indexed table versions in " + index, e);
        }
    }

    /** Puts the index template (idempotent) and returns its version. */
    public int putTemplate() {
        return putTemplateFile().version();
    }

    private Template putTemplateFile() {
        try (InputStream in = SeriesIndexer.class.getResourceAsStream(SeriesIndex.TEMPLATE_RESOURCE)) {
            if (in == null) {
                throw new CohortException(CohortException.ErrorCode.INTERNAL, "Index template resource "
                        + SeriesIndex.TEMPLATE_RESOURCE + " is missing from the classpath; rebuild cohort-query (its pom "
                        + "copies infra/elasticsearch/*.json into the jar).");
            }
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int version = templateVersion(json);
            client.indices().putIndexTemplate(b -> b.name(SeriesIndex.TEMPLATE_NAME).withJson(new StringReader(json)));
            return new Template(json, version);
        } catch (IOException | ElasticsearchException e) {
            throw SeriesIndex.unreachable(esUrl, "putting index template " + SeriesIndex.TEMPLATE_NAME, e);
        }
    }

    /** The version of the index template on the classpath ({@code _meta.version}). */
    public static int templateVersion() {
        try (InputStream in = SeriesIndexer.class.getResourceAsStream(SeriesIndex.TEMPLATE_RESOURCE)) {
            return templateVersion(new String(Objects.requireNonNull(in, SeriesIndex.TEMPLATE_RESOURCE).readAllBytes(),
                    StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CohortException(CohortException.ErrorCode.INTERNAL, "Cannot read " + SeriesIndex.TEMPLATE_RESOURCE
                    + ": " + e.getMessage() + "; rebuild cohort-query.", e);
        }
    }

    private static int templateVersion(String json) throws IOException {
        JsonNode v = new ObjectMapper().readTree(json).path("_meta").path("version");
        if (!v.canConvertToInt()) {
            throw new CohortException(CohortException.ErrorCode.INTERNAL, "The index template " + SeriesIndex.TEMPLATE_RESOURCE
                    + " has no numeric _meta.version; give it one (it names the concrete indices).");
        }
        return v.asInt();
    }

    private Source read(LakeLayout lake) {
        Path instances = lake.table(Tables.INSTANCES);
        List<String> present = reader.columns(instances).orElse(List.of());
        List<String> columns = COLUMNS.stream().filter(present::contains).toList();
        var data = present.isEmpty() ? Optional.<DeltaTableReader.TableData>empty() : reader.read(instances, columns);
        CurationState curation = CurationState.read(reader, lake);
        State state = new State(data.map(DeltaTableReader.TableData::version).orElse(-1L), curation.curationVersion(),
                curation.overridesVersion());
        return new Source(data.map(DeltaTableReader.TableData::rows).orElse(List.of()), curation, state);
    }

    /** The series touched by the commits between the two states, or empty when the log cannot tell. */
    private Optional<Set<String>> changedSeries(LakeLayout lake, State before, State now) {
        Set<String> out = new HashSet<>();
        long[][] versions = {{before.instances(), now.instances()}, {before.curation(), now.curation()},
                {before.overrides(), now.overrides()}};
        Path[] tables = {lake.table(Tables.INSTANCES), lake.table(CurationTables.SERIES_CURATION),
                lake.table(CurationTables.DEID_OVERRIDES)};
        for (int t = 0; t < tables.length; t++) {
            long from = versions[t][0];
            long to = versions[t][1];
            if (from == to) {
                continue;
            }
            if (to < from) {
                return Optional.empty(); // the table was dropped or recreated
            }
            Optional<Set<String>> touched = reader.valuesInChangedFiles(tables[t], from, to, Instances.SERIES_INSTANCE_UID);
            if (touched.isEmpty()) {
                return Optional.empty();
            }
            out.addAll(touched.get());
        }
        return Optional.of(out);
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
     * {@link org.medlake.cohort.release.ReleasePolicy}. Then the facet bucket fields
     * ({@link org.medlake.cohort.search.Facets#addBucketFields}). Documents are returned in series UID order.
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
            org.medlake.cohort.search.Facets.addBucketFields(doc);
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

    private void bulk(String index, List<Map<String, Object>> docs) {
        for (int from = 0; from < docs.size(); from += BULK_SIZE) {
            List<Map<String, Object>> chunk = docs.subList(from, Math.min(docs.size(), from + BULK_SIZE));
            BulkRequest.Builder b = new BulkRequest.Builder().index(index);
            for (Map<String, Object> doc : chunk) {
                String id = (String) doc.get(Instances.SERIES_INSTANCE_UID);
                b.operations(op -> op.index(i -> i.id(id).document(doc)));
            }
            check(execute(b, chunk.size()), chunk.size());
        }
    }

    private void delete(String index, List<String> ids) {
        for (int from = 0; from < ids.size(); from += BULK_SIZE) {
            BulkRequest.Builder b = new BulkRequest.Builder().index(index);
            ids.subList(from, Math.min(ids.size(), from + BULK_SIZE)).forEach(id -> b.operations(op -> op.delete(d -> d.id(id))));
            execute(b, 0); // deleting an absent document is not an error worth failing for
        }
    }

    private BulkResponse execute(BulkRequest.Builder b, int count) {
        try {
            return client.bulk(b.build());
        } catch (IOException | ElasticsearchException e) {
            throw SeriesIndex.unreachable(esUrl, "bulk-indexing " + count + " series", e);
        }
    }

    /**
     * Fails with a clear message when Elasticsearch rejected documents of a bulk request.
     *
     * @throws CohortException INTERNAL naming one rejected series and the reason
     */
    static void check(BulkResponse response, int count) {
        if (response.errors()) {
            BulkResponseItem failed = response.items().stream().filter(i -> i.error() != null).findFirst().orElseThrow();
            long n = response.items().stream().filter(i -> i.error() != null).count();
            throw new CohortException(CohortException.ErrorCode.INTERNAL, n + " of " + count + " series "
                    + "documents were rejected by Elasticsearch, e.g. series " + failed.id() + ": "
                    + failed.error().type() + ": " + failed.error().reason() + ". The documents do not fit the mapping in "
                    + "infra/elasticsearch/series-template.json; fix the indexer or the template and re-index.");
        }
    }

    /** The ids in the index that are not in {@code live}, listed page by page. */
    private List<String> stale(String index, Set<String> live) {
        List<String> stale = new ArrayList<>();
        try {
            List<FieldValue> after = null;
            while (true) {
                List<FieldValue> cursor = after;
                SearchResponse<Void> page = client.search(r -> {
                    r.index(index).size(LIST_PAGE).source(src -> src.fetch(false))
                            .sort(so -> so.field(f -> f.field(Instances.SERIES_INSTANCE_UID)));
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
                    return stale;
                }
                after = hits.get(hits.size() - 1).sort();
            }
        } catch (IOException | ElasticsearchException e) {
            throw SeriesIndex.unreachable(esUrl, "listing series that left the lake", e);
        }
    }

    private void refresh(String index) {
        try {
            client.indices().refresh(r -> r.index(index));
        } catch (IOException | ElasticsearchException e) {
            throw SeriesIndex.unreachable(esUrl, "refreshing " + index, e);
        }
    }
}
