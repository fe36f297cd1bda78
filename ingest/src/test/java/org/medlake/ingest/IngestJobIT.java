package org.medlake.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.apache.spark.sql.functions.col;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
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
import org.medlake.lake.LakeLayout;
import org.medlake.lake.LakeObjects;
import org.medlake.lake.Tables;

/**
 * The ingest acceptance case on one lake, in order: first ingest of a mixed folder, an identical re-run, a
 * same-UID-different-bytes conflict, and SQL over the result. One local SparkSession for the class. The runs use
 * {@link #engine}: the Spark job here, the local engine in the subclass.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IngestJobIT {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path source;
    static LakeLayout lake;
    static List<SyntheticSeries.Written> valid = new ArrayList<>();
    static Path truncated;
    static Path text;
    /** The engine under test: the Spark job here, the local engine in {@link LocalEngineIngestIT}. */
    static java.util.function.Function<IngestRequest, IngestResult> engine;

    @BeforeAll
    static void setUp() throws Exception {
        spark = LakeSpark.builder("ingest-it").master("local[2]").getOrCreate();
        engine = r -> IngestJob.run(spark, r);
        valid.clear();
        source = tmp.resolve("incoming");
        lake = LakeLayout.at(tmp.resolve("lake"));
        SyntheticSeries.Patient p = SyntheticSeries.patient("IT-001", "M", 61);
        valid.add(SyntheticSeries.ct(p).slices(4).size(16, 16).writeTo(source.resolve("ct")));
        valid.add(SyntheticSeries.mrT1(p).slices(3).size(16, 16).writeTo(source.resolve("mr")));
        // a truncated file: another CT slice cut in the middle of its pixel data
        SyntheticSeries.Written other = SyntheticSeries.ct(p).slices(1).size(32, 32).writeTo(tmp.resolve("other"));
        byte[] bytes = Files.readAllBytes(other.files().get(0));
        truncated = source.resolve("broken/cut.dcm");
        Files.createDirectories(truncated.getParent());
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 1000));
        text = source.resolve("notes.txt");
        Files.writeString(text, "scanned on the old CT, see report\n");
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static IngestResult ingest(Path src) {
        return engine.apply(new IngestRequest(List.of(src.toString()), lake.root(), "demo", "site-a", "it"));
    }

    private static List<Row> table(String name) {
        return spark.read().format("delta").load(lake.tableUri(name)).collectAsList();
    }

    private static List<String> sorted(String name) {
        return spark.read().format("delta").load(lake.tableUri(name)).toJSON().collectAsList()
                .stream().sorted().toList();
    }

    static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    @Test
    @Order(1)
    void ingestsValidFilesAndQuarantinesTheRest() throws Exception {
        IngestResult r = ingest(source);
        assertThat(r.filesSeen()).isEqualTo(9);
        assertThat(r.instancesAdded()).isEqualTo(7);
        assertThat(r.instancesExisting()).isZero();
        assertThat(r.quarantined()).isEqualTo(1);
        assertThat(r.notDicom()).isEqualTo(1);
        assertThat(r.filesSeen()).isEqualTo(r.instancesAdded() + r.instancesExisting() + r.quarantined() + r.notDicom());
        assertThat(r.series()).isEqualTo(2);
        assertThat(r.studies()).isEqualTo(2);
        assertThat(table(Tables.SERIES)).hasSize(2);
        assertThat(table(Tables.STUDIES)).hasSize(2);
        assertThat(table(Tables.SERIES)).extracting(row -> row.<Long>getAs("instance_count")).containsExactlyInAnyOrder(4L, 3L);

        Map<String, Row> bySop = table(Tables.INSTANCES).stream()
                .collect(Collectors.toMap(row -> row.getAs(Tables.Instances.SOP_INSTANCE_UID), row -> row));
        assertThat(bySop).hasSize(7);
        for (SyntheticSeries.Written w : valid) {
            for (int i = 0; i < w.files().size(); i++) {
                Path f = w.files().get(i);
                Row row = bySop.get(w.sopInstanceUids().get(i));
                assertThat(row).as(f.toString()).isNotNull();
                String sha = sha256(f);
                assertThat((String) row.getAs(Tables.Instances.SHA256)).isEqualTo(sha);
                assertThat((Long) row.getAs(Tables.Instances.SIZE_BYTES)).isEqualTo(Files.size(f));
                assertThat((String) row.getAs(Tables.Instances.SERIES_INSTANCE_UID)).isEqualTo(w.seriesInstanceUid());
                assertThat((String) row.getAs(Tables.Instances.STUDY_INSTANCE_UID)).isEqualTo(w.studyInstanceUid());
                assertThat((String) row.getAs(Tables.Instances.MODALITY)).isEqualTo(w.modality());
                assertThat((String) row.getAs(Tables.Instances.PROJECT)).isEqualTo("demo");
                assertThat((String) row.getAs(Tables.Instances.SITE)).isEqualTo("site-a");
                assertThat((Integer) row.getAs(Tables.Instances.PATIENT_AGE_YEARS)).isEqualTo(61);
                assertThat((String) row.getAs(Tables.Instances.SOURCE_URI)).isEqualTo(f.toUri().toString());
                String location = row.getAs(Tables.Instances.LOCATION);
                assertThat(location).startsWith("objects/packs/");
                assertThat(sha256(new LakeObjects(lake).readAllBytes(location))).isEqualTo(sha);
            }
        }

        Map<String, Row> quarantine = table(Tables.QUARANTINE).stream()
                .collect(Collectors.toMap(row -> row.getAs(Tables.Quarantine.SOURCE_URI), row -> row));
        assertThat(quarantine).hasSize(2);
        Row cut = quarantine.get(truncated.toUri().toString());
        assertThat((String) cut.getAs(Tables.Quarantine.REASON)).isEqualTo("TRUNCATED");
        assertThat((String) cut.getAs(Tables.Quarantine.SHA256)).isEqualTo(sha256(truncated));
        assertThat((String) cut.getAs(Tables.Quarantine.DETAIL)).contains("Pixel Data").contains(truncated.toUri().toString());
        Row notes = quarantine.get(text.toUri().toString());
        assertThat((String) notes.getAs(Tables.Quarantine.REASON)).isEqualTo("NOT_DICOM");
        assertThat((String) notes.getAs(Tables.Quarantine.RUN_ID)).isEqualTo(r.runId());

        List<Row> runs = table(Tables.INGEST_RUNS);
        assertThat(runs).hasSize(1);
        assertThat((String) runs.get(0).getAs(Tables.IngestRuns.STATUS)).isEqualTo("SUCCEEDED");
        assertThat((Long) runs.get(0).getAs(Tables.IngestRuns.INSTANCES_ADDED)).isEqualTo(7L);
        assertThat(Files.list(lake.root().resolve("objects/tmp")).count()).as("no temp files left").isZero();
    }

    @Test
    @Order(2)
    void reIngestingTheSameSourceAddsNothing() {
        List<String> instancesBefore = sorted(Tables.INSTANCES);
        List<String> quarantineBefore = sorted(Tables.QUARANTINE);
        long packedBefore = packedBytes();
        IngestResult r = ingest(source);
        assertThat(packedBytes()).as("no bytes stored again").isEqualTo(packedBefore).isPositive();
        assertThat(r.instancesAdded()).isZero();
        assertThat(r.instancesExisting()).isEqualTo(7);
        assertThat(r.quarantined()).isEqualTo(1);
        assertThat(r.notDicom()).isEqualTo(1);
        assertThat(sorted(Tables.INSTANCES)).isEqualTo(instancesBefore);
        assertThat(sorted(Tables.QUARANTINE)).isEqualTo(quarantineBefore);
        assertThat(table(Tables.INGEST_RUNS)).hasSize(2);
    }

    private static long packedBytes() {
        try (java.util.stream.Stream<Path> packs = Files.list(lake.root().resolve("objects/packs"))) {
            long n = 0;
            for (Path p : packs.filter(f -> f.toString().endsWith(".pack")).toList()) {
                n += Files.size(p);
            }
            return n;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @Order(3)
    void sameSopUidWithOtherBytesIsAConflictAndTheOriginalStays() throws Exception {
        Path original = valid.get(0).files().get(0);
        String sop = valid.get(0).sopInstanceUids().get(0);
        AttributeList l = new AttributeList();
        l.read(original.toFile());
        l.get(TagFromName.SeriesDescription).setValue("edited elsewhere");
        Path changed = tmp.resolve("changed/copy.dcm");
        Files.createDirectories(changed.getParent());
        l.write(changed.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
        assertThat(sha256(changed)).isNotEqualTo(sha256(original));
        // and a new instance beside it: the run adds one of the two instances it accepted
        SyntheticSeries.Written added = SyntheticSeries.ct(SyntheticSeries.patient("IT-002", "F", 47)).slices(1)
                .size(16, 16).writeTo(changed.getParent().resolve("new"));
        List<String> instancesBefore = sorted(Tables.INSTANCES);

        IngestResult r = ingest(changed.getParent());
        assertThat(r.instancesAdded()).isEqualTo(1);
        assertThat(r.quarantined()).isEqualTo(1);
        assertThat(r.conflicts()).isEqualTo(1);
        List<String> instancesAfter = sorted(Tables.INSTANCES);
        assertThat(instancesAfter).hasSize(instancesBefore.size() + 1).containsAll(instancesBefore);
        Row addedRow = spark.read().format("delta").load(lake.tableUri(Tables.INSTANCES))
                .filter(col(Tables.Instances.SOP_INSTANCE_UID).equalTo(added.sopInstanceUids().get(0))).first();
        assertThat((String) addedRow.getAs(Tables.Instances.PATIENT_ID)).isEqualTo("IT-002");
        assertThat((String) addedRow.getAs(Tables.Instances.HEADER_JSON)).contains("IT-002");
        List<Row> conflicts = spark.read().format("delta").load(lake.tableUri(Tables.QUARANTINE))
                .filter(col(Tables.Quarantine.REASON).equalTo("CONFLICT")).collectAsList();
        assertThat(conflicts).hasSize(1);
        Row c = conflicts.get(0);
        assertThat((String) c.getAs(Tables.Quarantine.SOP_INSTANCE_UID)).isEqualTo(sop);
        assertThat((String) c.getAs(Tables.Quarantine.SHA256)).isEqualTo(sha256(changed));
        assertThat((String) c.getAs(Tables.Quarantine.DETAIL)).contains(sha256(original));

        // and once more: the conflict row is not duplicated
        ingest(changed.getParent());
        assertThat(spark.read().format("delta").load(lake.tableUri(Tables.QUARANTINE))
                .filter(col(Tables.Quarantine.REASON).equalTo("CONFLICT")).count()).isEqualTo(1);
    }

    @Test
    @Order(4)
    void sqlMainCountsTheIngestedInstances() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SqlMain.run(spark, new String[] {"--lake", lake.root().toString(), "--json",
                "SELECT count(*) AS n, count(DISTINCT series_instance_uid) AS s FROM instances"},
                new PrintStream(out, true), new PrintStream(err, true));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).strip()).isEqualTo("{\"n\":8,\"s\":3}"); // 7 from the first run, 1 added beside the conflict

        out.reset();
        code = SqlMain.run(spark, new String[] {"--lake", lake.root().toString(),
                "SELECT reason, count(*) AS n FROM quarantine GROUP BY reason ORDER BY reason"},
                new PrintStream(out, true), new PrintStream(err, true));
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("CONFLICT  | 1").contains("NOT_DICOM | 1")
                .contains("TRUNCATED | 1").contains("(3 rows)");

        err.reset();
        code = SqlMain.run(spark, new String[] {"--lake", lake.root().toString(), "SELECT nope FROM instances"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("sql: the query failed").contains("instances")
                .doesNotContain("\tat org.apache");
    }

    @Test
    @Order(5)
    void ingestMainPrintsTheJsonSummaryLast() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = IngestMain.run(spark, new String[] {source.resolve("mr").toString(), "--lake", lake.root().toString(), "--json"},
                new PrintStream(out, true), new PrintStream(new ByteArrayOutputStream(), true));
        assertThat(code).isZero();
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertThat(lines[lines.length - 1]).startsWith("{\"run_id\":\"")
                .endsWith(",\"files_seen\":3,\"instances_added\":0,\"instances_existing\":3,\"quarantined\":0,\"not_dicom\":0,"
                        + "\"series\":1,\"studies\":1}");
        code = IngestMain.run(spark, new String[] {tmp.resolve("missing").toString(), "--lake", lake.root().toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
        assertThat(code).isEqualTo(2);
    }
}
