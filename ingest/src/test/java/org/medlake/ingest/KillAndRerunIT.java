package org.medlake.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.dicom.SyntheticSeries;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.LakeObjects;
import org.medlake.lake.Tables;

/**
 * A run of the {@code ingest} command (the local engine) killed with SIGKILL at several moments, then re-run, must
 * end with exactly the tables of an uninterrupted run of the Spark job (ignoring the run ids, timestamps and pack
 * names that necessarily differ), and every instance's location must hold its bytes.
 */
class KillAndRerunIT {
    @TempDir
    static Path tmp;
    static Path source;
    static SparkSession spark;

    @BeforeAll
    static void setUp() throws Exception {
        source = tmp.resolve("incoming");
        SyntheticSeries.writeDemoSet(source.resolve("a"), 2);
        Path broken = source.resolve("broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("readme.txt"), "not an image");
        byte[] ct = Files.readAllBytes(SyntheticSeries.ct(SyntheticSeries.patient("K-9", "F", 40)).slices(1)
                .writeTo(tmp.resolve("one")).files().get(0));
        Files.write(broken.resolve("cut.dcm"), Arrays.copyOf(ct, ct.length / 2));
        spark = LakeSpark.builder("kill-it").master("local[2]").getOrCreate();
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Process ingestProcess(Path lake) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        cmd.addAll(Arrays.asList(System.getProperty("medlake.spark.opens", "").split(" ")));
        cmd.removeIf(String::isBlank);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), IngestMain.class.getName(),
                source.toString(), "--lake", lake.toString(), "--project", "demo", "--site", "s1", "--json"));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("ingest-" + System.nanoTime() + ".log").toFile()).start();
    }

    @Test
    void killedRunsThenARerunEqualOneUninterruptedRun() throws Exception {
        Path reference = tmp.resolve("reference");
        IngestJob.run(spark, new IngestRequest(List.of(source.toString()), reference, "demo", "s1", "it"));

        Path killed = tmp.resolve("killed");
        // Kill points spread over a run: during start-up, while files are processed, and around the commits.
        // The local engine's whole run takes a few seconds, so the kills come early and close together.
        for (long delayMs : new long[] {700, 1_200, 1_700, 2_200, 2_900, 3_700}) {
            Process p = ingestProcess(killed);
            if (!p.waitFor(delayMs, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
        Process last = ingestProcess(killed);
        assertThat(last.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(last.exitValue()).isZero();

        for (String table : List.of(Tables.INSTANCES, Tables.QUARANTINE, Tables.SERIES, Tables.STUDIES)) {
            assertThat(content(killed, table)).as(table).isEqualTo(content(reference, table)).isNotEmpty();
        }
        assertThat(objects(killed)).isEqualTo(objects(reference)).isNotEmpty();
        assertThat(content(killed, Tables.INGEST_RUNS)).as("a SUCCEEDED run").anyMatch(r -> r.contains("SUCCEEDED"));
        assertThat(leftovers(killed)).isEmpty();
    }

    /** A table's rows as sorted JSON, without the columns that name runs or times. */
    private static List<String> content(Path lake, String table) {
        Dataset<Row> df = spark.read().format("delta").load(LakeLayout.at(lake).tableUri(table));
        for (String c : df.columns()) {
            if (c.contains("run_id") || c.endsWith("_at") || c.equals(Tables.Instances.LOCATION)) {
                df = df.drop(c);
            }
        }
        return df.toJSON().collectAsList().stream().sorted().toList();
    }

    /** The SHA-256 of every instance as read back through its location, checked against the row's sha256. */
    private static List<String> objects(Path lake) throws Exception {
        LakeObjects objects = new LakeObjects(LakeLayout.at(lake));
        List<String> out = new ArrayList<>();
        for (Row r : spark.read().format("delta").load(LakeLayout.at(lake).tableUri(Tables.INSTANCES))
                .select(Tables.Instances.SHA256, Tables.Instances.LOCATION).collectAsList()) {
            String read = IngestJobIT.sha256(objects.readAllBytes(r.getString(1)));
            assertThat(read).as(r.getString(1)).isEqualTo(r.getString(0));
            out.add(read);
        }
        return out.stream().sorted().toList();
    }

    private static List<Path> leftovers(Path lake) throws Exception {
        Path tmpDir = lake.resolve("objects").resolve("tmp");
        if (!Files.exists(tmpDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(tmpDir)) {
            return files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().endsWith(".lock")).toList();
        }
    }
}
