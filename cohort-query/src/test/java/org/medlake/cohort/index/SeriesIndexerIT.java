package org.medlake.cohort.index;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch.core.search.Hit;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.testing.DeltaTestTables;
import org.medlake.lake.LakeLayout;
import org.medlake.testkit.MedlakeServices;

/** Rebuild, alias swap and incremental indexing from real Delta tables into the real Elasticsearch. */
class SeriesIndexerIT {
    @TempDir
    Path lakeDir;
    private LakeLayout lake;
    private ElasticsearchClient es;
    private String url;
    private SeriesIndex.Names names;

    @BeforeEach
    void lake() {
        url = MedlakeServices.elasticsearchUrl();
        es = SeriesIndex.connect(url);
        names = SeriesIndex.isolated("indexer-it-" + UUID.randomUUID().toString().substring(0, 8));
        lake = LakeLayout.at(lakeDir);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int s = 0; s < 40; s++) {
            for (int i = 0; i < 2; i++) {
                rows.add(DeltaTestTables.instance("1." + s + "." + i, "S" + s, s % 4 == 0 ? "other" : "demo", 10 + i,
                        Map.of("modality", s % 3 == 0 ? "MR" : "CT", "patient_age_years", 20 + s, "manufacturer", "GE",
                                "body_part_examined", "HEAD", "patient_sex", s % 2 == 0 ? "F" : "M",
                                "study_date", LocalDate.of(2020, 1, 1).plusDays(s), "series_description", "series " + s)));
            }
        }
        DeltaTestTables.append(lake.table("instances"), DeltaTestTables.INSTANCES_SCHEMA, rows);
        // S7 and S9 are not curated yet (the curate job keeps one row per series; tests add theirs later)
        DeltaTestTables.appendCuration(lake, DeltaTestTables.passFor(rows.stream()
                .filter(r -> !List.of("S7", "S9").contains(r.get("series_instance_uid"))).toList()));
    }

    @AfterEach
    void drop() {
        SeriesIndex.drop(es, names);
        SeriesIndex.close(es);
    }

    private SeriesIndexer indexer() {
        return new SeriesIndexer(es, new DeltaTableReader(), url, names);
    }

    /** Every document behind the alias, by id. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private Map<String, Map<String, Object>> allDocuments() throws Exception {
        es.indices().refresh(r -> r.index(names.alias()));
        Map<String, Map<String, Object>> out = new TreeMap<>();
        List<FieldValue> after = null;
        while (true) {
            List<FieldValue> cursor = after;
            var page = es.search(s -> {
                s.index(names.alias()).size(500).sort(o -> o.field(f -> f.field("series_instance_uid")));
                return cursor == null ? s : s.searchAfter(cursor);
            }, Map.class);
            for (Hit<Map> h : page.hits().hits()) {
                out.put(h.id(), h.source());
            }
            if (page.hits().hits().size() < 500) {
                return out;
            }
            after = page.hits().hits().get(page.hits().hits().size() - 1).sort();
        }
    }

    private List<String> indicesBehindAlias() throws Exception {
        return new ArrayList<>(es.indices().getAlias(a -> a.name(names.alias())).result().keySet());
    }

    @Test
    void deletingTheIndexAndRebuildingGivesTheSameDocuments() throws Exception {
        SeriesIndexer.Result first = indexer().index(lake);
        assertThat(first.mode()).isEqualTo(SeriesIndexer.Mode.REBUILT);
        assertThat(first.seriesIndexed()).isEqualTo(40);
        Map<String, Map<String, Object>> before = allDocuments();
        assertThat(before).hasSize(40);
        assertThat(before.get("S3")).containsEntry("instance_count", 2).containsEntry("size_bytes", 21)
                .containsEntry("modality", "MR").containsEntry("project", "demo").containsEntry("released", true);

        SeriesIndex.drop(es, names);
        assertThat(es.indices().existsAlias(a -> a.name(names.alias())).value()).isFalse();
        SeriesIndexer.Result again = indexer().index(lake);

        assertThat(again.mode()).isEqualTo(SeriesIndexer.Mode.REBUILT);
        assertThat(allDocuments()).isEqualTo(before);
    }

    @Test
    void aLakeMadeAgainAtTheSamePathIsRebuiltNotTakenAsUpToDate() throws Exception {
        indexer().index(lake);
        assertThat(allDocuments()).containsKey("S3").hasSize(40);
        // the same path, the same table versions, other data: only the lake's identity tells them apart
        try (var files = java.nio.file.Files.walk(lake.root())) {
            for (java.nio.file.Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(f);
            }
        }
        List<Map<String, Object>> rows = List.of(
                DeltaTestTables.instance("9.1", "NEW-1", "demo", 7, Map.of("modality", "MR")),
                DeltaTestTables.instance("9.2", "NEW-2", "demo", 7, Map.of("modality", "CT")));
        DeltaTestTables.append(lake.table("instances"), DeltaTestTables.INSTANCES_SCHEMA, rows);
        DeltaTestTables.appendCuration(lake, DeltaTestTables.passFor(rows));

        SeriesIndexer.Result r = indexer().index(lake);

        assertThat(r.mode()).isEqualTo(SeriesIndexer.Mode.REBUILT);
        assertThat(allDocuments()).containsOnlyKeys("NEW-1", "NEW-2");
    }

    @Test
    void rebuildBuildsANewIndexAndSwapsTheAlias() throws Exception {
        SeriesIndexer.Result first = indexer().index(lake);
        Map<String, Map<String, Object>> before = allDocuments();
        assertThat(indicesBehindAlias()).containsExactly(first.index());
        assertThat(first.index()).startsWith(names.indexPrefix() + "-v" + SeriesIndexer.templateVersion() + "-");

        SeriesIndexer.Result rebuilt = indexer().rebuild(lake);

        assertThat(rebuilt.mode()).isEqualTo(SeriesIndexer.Mode.REBUILT);
        assertThat(rebuilt.index()).isNotEqualTo(first.index());
        assertThat(indicesBehindAlias()).containsExactly(rebuilt.index());
        assertThat(es.indices().exists(e -> e.index(first.index())).value()).as("old index deleted").isFalse();
        assertThat(allDocuments()).isEqualTo(before);
        assertThat(indexer().index(lake).mode()).isEqualTo(SeriesIndexer.Mode.UP_TO_DATE);
    }

    @Test
    void incrementalIndexingPicksUpChangedSeriesOnly() throws Exception {
        indexer().index(lake);
        Map<String, Map<String, Object>> before = allDocuments();

        assertThat(before.get("S7")).containsEntry("released", false).doesNotContainKey("deid_status");
        // a new series, a new instance of S5, and S7 curated (released now); the other 37 series are untouched
        DeltaTestTables.append(lake.table("instances"), DeltaTestTables.INSTANCES_SCHEMA, List.of(
                DeltaTestTables.instance("2.new", "S-new", "demo", 5, Map.of("modality", "MR")),
                DeltaTestTables.instance("1.5.9", "S5", "demo", 100, Map.of("modality", "CT"))));
        DeltaTestTables.appendCuration(lake, List.of(DeltaTestTables.curation("S-new", "demo", "PASS", Map.of()),
                DeltaTestTables.curation("S7", "demo", "PASS", Map.of("qa_status", "WARN"))));

        SeriesIndexer.Result r = indexer().index(lake);

        assertThat(r.mode()).isEqualTo(SeriesIndexer.Mode.INCREMENTAL);
        assertThat(r.seriesIndexed()).isEqualTo(3);
        assertThat(r.tableVersion()).isEqualTo(1);
        Map<String, Map<String, Object>> after = allDocuments();
        assertThat(after).hasSize(41);
        assertThat(after.get("S-new")).containsEntry("released", true).containsEntry("project", "demo");
        assertThat(after.get("S5")).containsEntry("instance_count", 3).containsEntry("size_bytes", 121);
        assertThat(after.get("S7")).containsEntry("deid_status", "PASS").containsEntry("qa_status", "WARN")
                .containsEntry("released", true);
        for (String id : before.keySet()) {
            if (!List.of("S5", "S7").contains(id)) {
                assertThat(after.get(id)).as(id).isEqualTo(before.get(id));
            }
        }
        assertThat(indexer().index(lake).mode()).isEqualTo(SeriesIndexer.Mode.UP_TO_DATE);

        // the incremental result is what a rebuild from Delta gives
        indexer().rebuild(lake);
        assertThat(allDocuments()).isEqualTo(after);
    }

    @Test
    void aDeidOverrideInDeltaReachesTheIndexIncrementally() throws Exception {
        DeltaTestTables.appendCuration(lake, List.of(DeltaTestTables.curation("S9", "demo", "FAIL", Map.of())));
        indexer().index(lake);
        assertThat(allDocuments().get("S9")).containsEntry("released", false);
        new org.medlake.cohort.release.DeidOverrideLog(lake, new org.medlake.cohort.delta.DeltaTableAppender("tests"))
                .append(new org.medlake.cohort.release.DeidOverrideLog.Entry("o1", "S9", "demo", "fp-S9", "OVERRIDE",
                        "reviewed by hand, safe", "carol", java.time.Instant.parse("2025-03-01T00:00:00Z")));

        SeriesIndexer.Result r = indexer().index(lake);

        assertThat(r.mode()).isEqualTo(SeriesIndexer.Mode.INCREMENTAL);
        assertThat(r.seriesIndexed()).isEqualTo(1);
        assertThat(allDocuments().get("S9")).containsEntry("released", true).containsEntry("deid_override", true);
    }

    /** Commits a {@code remove} of every data file of the instances table (as a DELETE of all rows would). */
    private List<Path> removeAllInstanceFiles() throws Exception {
        Path log = lake.table("instances").resolve("_delta_log");
        List<String> paths = new ArrayList<>();
        long last = -1;
        try (var files = java.nio.file.Files.list(log)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                last = Long.parseLong(f.getFileName().toString().replace(".json", ""));
                for (String line : java.nio.file.Files.readAllLines(f)) {
                    var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
                    if (node.has("add")) {
                        paths.add(node.get("add").get("path").asText());
                    }
                }
            }
        }
        StringBuilder commit = new StringBuilder();
        for (String p : paths) {
            commit.append("{\"remove\":{\"path\":\"").append(p).append("\",\"deletionTimestamp\":")
                    .append(System.currentTimeMillis()).append(",\"dataChange\":true}}\n");
        }
        java.nio.file.Files.writeString(log.resolve(String.format("%020d.json", last + 1)), commit.toString());
        return paths.stream().map(p -> lake.table("instances").resolve(java.net.URI.create(p).getPath())).toList();
    }

    @Test
    void seriesThatLeaveTheLakeAreDeletedIncrementally() throws Exception {
        indexer().index(lake);
        removeAllInstanceFiles();

        SeriesIndexer.Result r = indexer().index(lake);

        assertThat(r.mode()).isEqualTo(SeriesIndexer.Mode.INCREMENTAL);
        assertThat(r.seriesDeleted()).isEqualTo(40);
        assertThat(allDocuments()).isEmpty();
    }

    @Test
    void whenTheLogCannotTellEverythingIsCompared() throws Exception {
        indexer().index(lake);
        // a stray document the lake never had: only a full comparison removes it
        es.index(i -> i.index(names.alias()).id("STRAY").document(Map.of("series_instance_uid", "STRAY", "project", "demo")));
        for (Path removed : removeAllInstanceFiles()) {
            java.nio.file.Files.delete(removed); // as VACUUM would: the log can no longer say which series they held
        }
        DeltaTestTables.append(lake.table("instances"), DeltaTestTables.INSTANCES_SCHEMA,
                List.of(DeltaTestTables.instance("3.1", "S-only", "demo", 5, Map.of())));

        SeriesIndexer.Result r = indexer().index(lake);

        assertThat(r.mode()).isEqualTo(SeriesIndexer.Mode.FULL_COMPARE);
        assertThat(r.seriesIndexed()).isEqualTo(1);
        assertThat(r.seriesDeleted()).isEqualTo(41);
        assertThat(allDocuments()).containsOnlyKeys("S-only");
    }
}
