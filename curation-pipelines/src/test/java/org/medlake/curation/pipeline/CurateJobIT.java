package org.medlake.curation.pipeline;

import org.medlake.dicom.testing.SharedCorpus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.dicom.SyntheticSeries;
import org.medlake.ingest.IngestJob;
import org.medlake.ingest.IngestRequest;
import org.medlake.ingest.IngestResult;
import org.medlake.ingest.LakeSpark;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.LakeObjects;
import org.medlake.lake.PackWriter;
import org.medlake.lake.Tables;

/**
 * {@code curate} on real lakes: synthetic series ingested with and without de-identification, then a lake built
 * from {@code ../shared/corpus} when it is present. Real Spark (local[2]) and Delta tables.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CurateJobIT {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static LakeLayout lake;
    static SyntheticSeries.Written clean;
    static SyntheticSeries.Written identified;

    @BeforeAll
    static void setUp() {
        spark = LakeSpark.builder("curate-it").master("local[2]").getOrCreate();
        lake = LakeLayout.at(tmp.resolve("lake"));
        SyntheticSeries.Patient p = SyntheticSeries.patient("CUR-001", "F", 47);
        clean = SyntheticSeries.mrT1(p).slices(6).size(32, 32).writeTo(tmp.resolve("in/deid"));
        identified = SyntheticSeries.ct(p).slices(5).size(32, 32).writeTo(tmp.resolve("in/raw"));
        // the same patient: one series de-identified on the way in, one left as the scanner wrote it
        IngestResult a = IngestJob.run(spark, IngestRequest.of(lake.root(), "p1", null, tmp.resolve("in/deid").toString())
                .withDeidentification("curate-it-secret-0123456789"));
        IngestResult b = IngestJob.run(spark, IngestRequest.of(lake.root(), "p1", null, tmp.resolve("in/raw").toString()));
        assertThat(a.instancesAdded() + b.instancesAdded()).isEqualTo(11);
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Map<String, Row> seriesCuration() {
        return spark.read().format("delta").load(lake.tableUri(Tables.SERIES_CURATION)).collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getAs("series_instance_uid"), r -> r));
    }

    private static Map<String, Long> versions() throws Exception {
        Map<String, Long> out = new HashMap<>();
        try (Stream<Path> tables = Files.list(lake.root().resolve("tables"))) {
            for (Path t : tables.filter(Files::isDirectory).toList()) {
                try (Stream<Path> log = Files.list(t.resolve("_delta_log"))) {
                    out.put(t.getFileName().toString(), log.filter(f -> f.toString().endsWith(".json")).count());
                }
            }
        }
        return out;
    }

    @Test
    @Order(1)
    void curatesEverySeries_deidentifiedPassesAndRawFails() throws Exception {
        CurateJob.Result r = CurateJob.run(spark, lake.root(), CurateJob.Progress.NONE);
        assertThat(r.seriesInLake()).isEqualTo(2);
        assertThat(r.seriesCurated()).isEqualTo(2);

        Map<String, Row> rows = seriesCuration();
        assertThat(rows).hasSize(2);
        Row raw = rows.get(identified.seriesInstanceUid());
        assertThat(raw).as("the identified series keeps its UID").isNotNull();
        assertThat((String) raw.getAs("deid_status")).isEqualTo("FAIL");
        assertThat((Integer) raw.getAs("deid_fail_instances")).isEqualTo(5);
        assertThat(raw.<String>getList(raw.fieldIndex("deid_rules"))).isNotEmpty();
        Row mr = rows.values().stream().filter(x -> !x.getAs("series_instance_uid").equals(identified.seriesInstanceUid()))
                .findFirst().orElseThrow();
        assertThat(mr.<String>getAs("series_instance_uid")).as("UIDs are remapped by de-identification")
                .isNotEqualTo(clean.seriesInstanceUid());
        assertThat((String) mr.getAs("deid_status")).isEqualTo("PASS");
        assertThat((String) mr.getAs("modality")).isEqualTo("MR");
        assertThat((String) mr.getAs("series_type")).isEqualTo("T1W");
        assertThat((String) mr.getAs("completeness_status")).isEqualTo("COMPLETE");
        assertThat((String) mr.getAs("qa_status")).isIn("PASS", "WARN", "FAIL");
        assertThat(lake.root().resolve((String) mr.getAs("thumbnail"))).isRegularFile();

        // findings never carry the identifying value itself
        List<Row> findings = spark.read().format("delta").load(lake.tableUri(Tables.DEID_FINDINGS))
                .filter("keyword = 'PatientID'").collectAsList();
        assertThat(findings).isNotEmpty();
        assertThat(findings).allSatisfy(f -> assertThat(String.valueOf(f.<String>getAs("hint"))).doesNotContain("CUR-001"));

        assertThat(spark.read().format("delta").load(lake.tableUri(Tables.QA_METRICS)).count()).isPositive();
        assertThat(spark.read().format("delta").load(lake.tableUri(Tables.CURATION_LOG)).count()).isEqualTo(12);

        // each image series is converted to NIfTI in the derived store, with its dimensions and checksum recorded
        Map<String, Row> nifti = spark.read().format("delta").load(lake.tableUri(Tables.NIFTI)).collectAsList().stream()
                .collect(Collectors.toMap(n -> n.getAs("series_instance_uid"), n -> n));
        assertThat(nifti).hasSize(2);
        Row ctNifti = nifti.get(identified.seriesInstanceUid());
        assertThat((String) ctNifti.getAs("status")).isEqualTo("CONVERTED");
        assertThat(ctNifti.<Integer>getList(ctNifti.fieldIndex("dims"))).containsExactly(32, 32, 5);
        assertThat(ctNifti.<String>getList(ctNifti.fieldIndex("input_sop_instance_uids"))).hasSize(5);
        Path ctFile = lake.root().resolve((String) ctNifti.getAs("location"));
        assertThat(ctFile).isRegularFile();
        assertThat(sha256(ctFile)).isEqualTo(ctNifti.getAs("sha256"));
        assertThat(Files.size(ctFile)).isEqualTo((Long) ctNifti.getAs("size_bytes"));
        org.medlake.nifti.NiftiReader.Image ct = org.medlake.nifti.NiftiReader.read(ctFile);
        assertThat(ct.values()).hasSize(32 * 32 * 5);
        assertThat(lake.root().resolve((String) ctNifti.getAs("sidecar_location"))).isRegularFile();
        Row mrNifti = nifti.get(mr.<String>getAs("series_instance_uid"));
        assertThat(mrNifti.<Integer>getList(mrNifti.fieldIndex("dims"))).containsExactly(32, 32, 6);
        Row study = spark.read().format("delta").load(lake.tableUri(Tables.STUDY_CURATION))
                .filter("study_instance_uid = '" + identified.studyInstanceUid() + "'").first();
        assertThat((String) study.getAs("deid_status")).isEqualTo("FAIL");
    }

    private static String sha256(Path f) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(f)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Order(2)
    void rerunWithNothingNewChangesNothing() throws Exception {
        Map<String, Long> before = versions();
        CurateJob.Result r = CurateJob.run(spark, lake.root(), CurateJob.Progress.NONE);
        assertThat(r.seriesCurated()).isZero();
        assertThat(versions()).isEqualTo(before);
    }

    @Test
    @Order(3)
    void aChangedSeriesIsCuratedAgain_andOnlyIt() {
        Map<String, Row> before = seriesCuration();
        // one more slice of the raw CT series arrives later
        SyntheticSeries.Written more = SyntheticSeries.ct(SyntheticSeries.patient("CUR-001", "F", 47)).slices(1)
                .size(32, 32).seriesInstanceUid(identified.seriesInstanceUid()).studyInstanceUid(identified.studyInstanceUid())
                .writeTo(tmp.resolve("in/late"));
        assertThat(more.files()).hasSize(1);
        IngestJob.run(spark, IngestRequest.of(lake.root(), "p1", null, tmp.resolve("in/late").toString()));

        CurateJob.Result r = CurateJob.run(spark, lake.root(), CurateJob.Progress.NONE);
        assertThat(r.seriesCurated()).isEqualTo(1);
        Map<String, Row> after = seriesCuration();
        assertThat(after).hasSize(2);
        Row ct = after.get(identified.seriesInstanceUid());
        assertThat((Integer) ct.getAs("instance_count")).isEqualTo(6);
        assertThat((String) ct.getAs("input_fingerprint")).isNotEqualTo(before.get(identified.seriesInstanceUid())
                .getAs("input_fingerprint"));
        // findings of the series were replaced, not added to: 6 instances' worth, one set per instance
        long patientIdFindings = spark.read().format("delta").load(lake.tableUri(Tables.DEID_FINDINGS))
                .filter("keyword = 'PatientID' AND series_instance_uid = '" + identified.seriesInstanceUid() + "'").count();
        assertThat(patientIdFindings).isEqualTo(6);
        // and its NIfTI row was replaced: the late slice sits where the first one is (a duplicate position), so the
        // series no longer forms a volume and the row says why instead of keeping the old 5-slice output
        List<Row> ctNifti = spark.read().format("delta").load(lake.tableUri(Tables.NIFTI))
                .filter("series_instance_uid = '" + identified.seriesInstanceUid() + "'").collectAsList();
        assertThat(ctNifti).hasSize(1);
        assertThat((String) ctNifti.get(0).getAs("status")).isEqualTo("FAILED");
        assertThat((String) ctNifti.get(0).getAs("reason")).startsWith("NIFTI_INCONSISTENT_SERIES");
        assertThat(ctNifti.get(0).<Integer>getList(ctNifti.get(0).fieldIndex("dims"))).isEmpty();
        String untouched = before.keySet().stream().filter(k -> !k.equals(identified.seriesInstanceUid())).findFirst().orElseThrow();
        assertThat((String) after.get(untouched).getAs("curation_run_id"))
                .isEqualTo(before.get(untouched).getAs("curation_run_id"));
    }

    @Test
    @Order(4)
    void curatesALakeBuiltFromTheSharedCorpus() {
        Path corpus = corpus();
        assumeTrue(corpus != null, "../shared/corpus is absent");
        LakeLayout corpusLake = LakeLayout.at(tmp.resolve("corpus-lake"));
        IngestJob.run(spark, IngestRequest.of(corpusLake.root(), "corpus", null, corpus.toString()));
        CurateJob.Result r = CurateJob.run(spark, corpusLake.root(), CurateJob.Progress.NONE);
        long series = spark.read().format("delta").load(corpusLake.tableUri(Tables.SERIES)).count();
        assertThat(r.seriesCurated()).isEqualTo(series);
        System.out.println("corpus curate: " + r);
        // every series got every verdict
        assertThat(spark.read().format("delta").load(corpusLake.tableUri(Tables.SERIES_CURATION))
                .filter("deid_status IS NULL OR completeness_status IS NULL OR series_type IS NULL OR qa_status IS NULL")
                .count()).isZero();
        // the de-identified dataset is recognised as declared de-identified, yet keeps private tags: FAIL, not PASS
        assertThat(r.deid()).containsKey("FAIL");
        // every series has a NIfTI verdict, every failure a reason, and the reference MR series convert
        Dataset<Row> nifti = spark.read().format("delta").load(corpusLake.tableUri(Tables.NIFTI));
        assertThat(nifti.select("series_instance_uid").distinct().count()).isEqualTo(series);
        assertThat(nifti.filter("status <> 'CONVERTED' AND reason IS NULL").count()).isZero();
        assertThat(nifti.filter("status = 'CONVERTED'").count()).isGreaterThanOrEqualTo(20);
        System.out.println("corpus NIfTI: " + r.nifti());
        assertThat(CurateJob.run(spark, corpusLake.root(), CurateJob.Progress.NONE).seriesCurated()).isZero();
    }

    @Test
    @Order(5)
    void curatesInstancesStoredInPacks() throws Exception {
        LakeLayout packedLake = LakeLayout.at(tmp.resolve("packed-lake"));
        SyntheticSeries.Written mr = SyntheticSeries.mrT1(SyntheticSeries.patient("CUR-002", "M", 61)).slices(4).size(32, 32)
                .writeTo(tmp.resolve("in/packed"));
        IngestJob.run(spark, IngestRequest.of(packedLake.root(), "p1", null, tmp.resolve("in/packed").toString()));
        // Move every object into two packs, after a filler object so that no region starts at 0, and point the rows
        // at the regions. Reading through LakeObjects works whichever form ingest wrote.
        LakeObjects objects = new LakeObjects(packedLake);
        String instancesUri = packedLake.tableUri(Tables.INSTANCES);
        List<Row> rows = spark.read().format("delta").load(instancesUri).collectAsList();
        assertThat(rows).hasSize(4);
        Map<String, String> packed = new HashMap<>();
        try (PackWriter a = PackWriter.create(packedLake, "curate-it-repack-0");
             PackWriter b = PackWriter.create(packedLake, "curate-it-repack-1")) {
            byte[] filler = "filler".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            a.append(filler, 0, filler.length, sha256(filler));
            for (int i = 0; i < rows.size(); i++) {
                Row row = rows.get(i);
                byte[] bytes = objects.readAllBytes(row.getAs(Tables.Instances.LOCATION));
                packed.put(row.getAs(Tables.Instances.SOP_INSTANCE_UID),
                        (i % 2 == 0 ? a : b).append(bytes, 0, bytes.length, row.getAs(Tables.Instances.SHA256)));
            }
        }
        io.delta.tables.DeltaTable table = io.delta.tables.DeltaTable.forPath(spark, instancesUri);
        packed.forEach((sop, location) -> table.update(
                org.apache.spark.sql.functions.col(Tables.Instances.SOP_INSTANCE_UID).equalTo(sop),
                Map.of(Tables.Instances.LOCATION, org.apache.spark.sql.functions.lit(location))));
        deleteTree(packedLake.root().resolve("objects/sha256"));
        assertThat(packed.values()).allSatisfy(l -> assertThat(LakeObjects.isPacked(l)).isTrue());

        CurateJob.Result r = CurateJob.run(spark, packedLake.root(), CurateJob.Progress.NONE);
        assertThat(r.seriesCurated()).isEqualTo(1);
        Row curated = spark.read().format("delta").load(packedLake.tableUri(Tables.SERIES_CURATION)).first();
        assertThat((String) curated.getAs("series_instance_uid")).isEqualTo(mr.seriesInstanceUid());
        assertThat((String) curated.getAs("series_type")).isEqualTo("T1W");
        assertThat((String) curated.getAs("completeness_status")).isEqualTo("COMPLETE");
        assertThat((Integer) curated.getAs("instance_count")).isEqualTo(4);
        assertThat(packedLake.root().resolve((String) curated.getAs("thumbnail"))).isRegularFile();
        // the converter got the packed bytes as files of their own
        Row nifti = spark.read().format("delta").load(packedLake.tableUri(Tables.NIFTI)).first();
        assertThat((String) nifti.getAs("status")).as(String.valueOf(nifti.<String>getAs("reason"))).isEqualTo("CONVERTED");
        assertThat(nifti.<Integer>getList(nifti.fieldIndex("dims"))).containsExactly(32, 32, 4);
        assertThat(org.medlake.nifti.NiftiReader.read(packedLake.root().resolve((String) nifti.getAs("location")))
                .values()).hasSize(32 * 32 * 4);
    }

    private static String sha256(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static void deleteTree(Path root) throws Exception {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Path corpus() {
        return SharedCorpus.orNull();
    }

}
