package org.medlake.cohort.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.index.IndexMain;
import org.medlake.cohort.index.SeriesIndex;
import org.medlake.cohort.index.SeriesIndexer;
import org.medlake.cohort.query.Criteria;
import org.medlake.cohort.query.CriteriaParser;
import org.medlake.cohort.query.QueryException;
import org.medlake.cohort.testing.DeltaTestTables;
import org.medlake.lake.LakeLayout;
import org.medlake.testkit.MedlakeServices;

/** Indexing a Delta {@code instances} table into the real Elasticsearch (isolated index names) and searching it. */
class SeriesSearchIT {
    @TempDir
    static Path lake;
    private static ElasticsearchClient es;
    private static String url;
    private static final SeriesIndex.Names NAMES = SeriesIndex.isolated("it-" + UUID.randomUUID().toString().substring(0, 8));

    @BeforeAll
    static void indexLake() throws Exception {
        url = MedlakeServices.elasticsearchUrl();
        es = SeriesIndex.connect(url);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int s = 0; s < 5; s++) {
            for (int i = 0; i < 3; i++) {
                rows.add(DeltaTestTables.instance("1." + s + "." + i, "S" + s, s < 3 ? "demo" : "other", 100,
                        Map.of("modality", s % 2 == 0 ? "CT" : "MR", "patient_age_years", 30 + 10 * s,
                                "study_date", LocalDate.of(2024, 1, 1 + s), "series_description", "axial chest " + s)));
            }
        }
        List<Map<String, Object>> curation = new ArrayList<>(DeltaTestTables.passFor(rows));
        // Two demo series that match every query below but are not released: a de-id FAIL and a never-curated one.
        for (String u : List.of("U-FAIL", "U-NEVER")) {
            rows.add(DeltaTestTables.instance("9." + u, u, "demo", 100, Map.of("modality", "CT", "patient_age_years", 50,
                    "study_date", LocalDate.of(2024, 1, 9), "series_description", "axial chest " + u)));
        }
        curation.add(DeltaTestTables.curation("U-FAIL", "demo", "FAIL", Map.of()));
        DeltaTestTables.append(LakeLayout.at(lake).table("instances"), DeltaTestTables.INSTANCES_SCHEMA, rows);
        DeltaTestTables.appendCuration(LakeLayout.at(lake), curation);
        SeriesIndexer.Result r = new SeriesIndexer(es, new DeltaTableReader(), url, NAMES).index(LakeLayout.at(lake));
        assertThat(r.mode()).isEqualTo(SeriesIndexer.Mode.REBUILT);
        assertThat(r.seriesIndexed()).isEqualTo(7);
        assertThat(r.tableVersion()).isZero();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        SeriesIndex.drop(es, NAMES);
        SeriesIndex.close(es);
    }

    private SeriesSearch search() {
        return new SeriesSearch(es, url, NAMES);
    }

    @Test
    void filtersByCriteriaAndProjects() {
        var page = search().search(new CriteriaParser().parse("{\"eq\":{\"modality\":\"CT\"}}"), List.of("demo"), 50, null);
        assertThat(page.total()).isEqualTo(2);
        assertThat(page.series()).extracting(d -> d.get("series_instance_uid")).containsExactly("S0", "S2");
        assertThat(page.series().get(0)).containsEntry("instance_count", 3).containsEntry("size_bytes", 300)
                .containsEntry("study_date", "2024-01-01").containsEntry("project", "demo");
        assertThat(page.nextSearchAfter()).isNull();

        assertThat(search().search(Criteria.range("patient_age_years", 40L, 60L), List.of("demo", "other"), 50, null)
                .series()).extracting(d -> d.get("series_instance_uid")).containsExactly("S1", "S2", "S3");
        assertThat(search().search(Criteria.match("series_description", "chest"), List.of("other"), 50, null).total()).isEqualTo(2);
        assertThat(search().search(Criteria.range("study_date", LocalDate.of(2024, 1, 4), null), List.of("demo", "other"), 50, null)
                .total()).isEqualTo(2);
        assertThat(search().search(Criteria.all(), List.of(), 50, null).total()).isZero();
    }

    @Test
    void pagesWithSearchAfter() {
        var first = search().search(Criteria.all(), List.of("demo", "other"), 2, null);
        assertThat(first.total()).isEqualTo(5);
        assertThat(first.nextSearchAfter()).containsExactly("S1");
        var second = search().search(Criteria.all(), List.of("demo", "other"), 2, first.nextSearchAfter());
        assertThat(second.series()).extracting(d -> d.get("series_instance_uid")).containsExactly("S2", "S3");
        var third = search().search(Criteria.all(), List.of("demo", "other"), 2, second.nextSearchAfter());
        assertThat(third.series()).hasSize(1);
        assertThat(third.nextSearchAfter()).isNull();
        assertThatThrownBy(() -> search().search(Criteria.all(), List.of("demo"), 0, null)).isInstanceOf(QueryException.class);
    }

    @Test
    void reindexingRemovesSeriesThatLeftTheLake() throws Exception {
        es.index(i -> i.index(NAMES.alias()).id("GONE").document(Map.of("series_instance_uid", "GONE", "project", "demo",
                "released", true)));
        es.indices().refresh(r -> r.index(NAMES.alias()));
        assertThat(search().search(Criteria.all(), List.of("demo"), 50, null).total()).isEqualTo(4);

        // Nothing changed in Delta: an incremental run leaves the index alone; a rebuild mirrors Delta again.
        assertThat(new SeriesIndexer(es, new DeltaTableReader(), url, NAMES).index(LakeLayout.at(lake)).mode())
                .isEqualTo(SeriesIndexer.Mode.UP_TO_DATE);
        SeriesIndexer.Result again = new SeriesIndexer(es, new DeltaTableReader(), url, NAMES).rebuild(LakeLayout.at(lake));

        assertThat(again.mode()).isEqualTo(SeriesIndexer.Mode.REBUILT);
        assertThat(again.seriesIndexed()).isEqualTo(7);
        assertThat(search().search(Criteria.all(), List.of("demo"), 50, null).series())
                .extracting(d -> d.get("series_instance_uid")).containsExactly("S0", "S1", "S2");
    }

    @Test
    void unreleasedSeriesAreNeverReturned() throws Exception {
        CriteriaParser p = new CriteriaParser();
        var byUid = search().search(p.parse("{\"in\":{\"series_instance_uid\":[\"U-FAIL\",\"U-NEVER\",\"S0\"]}}"),
                List.of("demo"), 50, null);
        assertThat(byUid.series()).extracting(d -> d.get("series_instance_uid")).containsExactly("S0");
        assertThat(search().search(p.parse("{\"eq\":{\"deid_status\":\"FAIL\"}}"), List.of("demo"), 50, null).total()).isZero();
        assertThat(search().search(p.parse("{\"not\":{\"exists\":\"deid_status\"}}"), List.of("demo"), 50, null).total()).isZero();
        assertThat(search().search(Criteria.match("series_description", "chest"), List.of("demo"), 50, null).total()).isEqualTo(3);
        // the indexed documents are there, only the released filter hides them
        assertThat(es.get(g -> g.index(NAMES.alias()).id("U-FAIL"), Map.class).source())
                .containsEntry("released", false).containsEntry("deid_status", "FAIL");
        assertThat(es.get(g -> g.index(NAMES.alias()).id("U-NEVER"), Map.class).source())
                .containsEntry("released", false).doesNotContainKey("deid_status");
    }

    @Test
    void curationFieldsAreQueryable() {
        CriteriaParser p = new CriteriaParser();
        var page = search().search(p.parse("{\"and\":[{\"eq\":{\"deid_status\":\"PASS\"}},{\"eq\":{\"series_type\":\"LOW_DOSE\"}},"
                + "{\"eq\":{\"completeness_status\":\"COMPLETE\"}},{\"in\":{\"qa_status\":[\"PASS\",\"WARN\"]}}]}"),
                List.of("demo", "other"), 50, null);
        assertThat(page.total()).isEqualTo(5);
        assertThat(page.series().get(0)).containsEntry("released", true).containsEntry("deid_override", false)
                .containsEntry("series_type_confidence", 0.9)
                .containsEntry("classification_attributes", Map.of("contrast", "none", "dose", "low"));
        assertThatThrownBy(() -> p.parse("{\"eq\":{\"released\":false}}")).isInstanceOf(QueryException.class)
                .hasMessageContaining("released");
    }

    @Test
    void anIndexBuiltWithAnOlderTemplateIsRebuiltAndReplaced() throws Exception {
        SeriesIndex.Names old = SeriesIndex.isolated("old-" + UUID.randomUUID().toString().substring(0, 8));
        String legacy = old.indexPrefix() + "-v1";
        es.indices().create(c -> c.index(legacy).aliases(old.alias(), a -> a).mappings(m -> m
                .dynamic(co.elastic.clients.elasticsearch._types.mapping.DynamicMapping.Strict)
                .properties("series_instance_uid", pr -> pr.keyword(k -> k))));
        try {
            SeriesIndexer.Result r = new SeriesIndexer(es, new DeltaTableReader(), url, old).index(LakeLayout.at(lake));
            assertThat(r.mode()).isEqualTo(SeriesIndexer.Mode.REBUILT);
            assertThat(r.index()).startsWith(old.indexPrefix() + "-v" + SeriesIndexer.templateVersion() + "-");
            assertThat(es.indices().exists(e -> e.index(legacy)).value()).isFalse();
            assertThat(new SeriesSearch(es, url, old).search(new CriteriaParser().parse("{\"eq\":{\"deid_status\":\"PASS\"}}"),
                    List.of("demo"), 50, null).total()).isEqualTo(3);
        } finally {
            SeriesIndex.drop(es, old);
        }
    }

    @Test
    void missingIndexIsAnEmptyResult() {
        var page = new SeriesSearch(es, url, SeriesIndex.isolated("absent-" + UUID.randomUUID()))
                .search(Criteria.all(), List.of("demo"), 10, null);
        assertThat(page.total()).isZero();
        assertThat(page.series()).isEmpty();
    }

    @Test
    void indexMainRejectsMissingLake() {
        assertThat(IndexMain.run(new String[] {"index", "--lake", lake.resolve("nope").toString()})).isEqualTo(2);
        assertThat(IndexMain.run(new String[] {"index"})).isEqualTo(2);
    }
}
