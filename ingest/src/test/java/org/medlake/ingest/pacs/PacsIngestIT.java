package org.medlake.ingest.pacs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.ingest.GatewayMain;
import org.medlake.ingest.IngestJob;
import org.medlake.ingest.IngestRequest;
import org.medlake.ingest.IngestResult;
import org.medlake.ingest.LakeSpark;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.Tables;
import org.medlake.lake.Tables.Instances;
import org.medlake.testkit.FreePorts;
import org.medlake.testkit.OrthancServer;

/** The PACS sources through the whole ingest job into Delta, against a real Orthanc and dcmtk's storescu. */
class PacsIngestIT {
    @TempDir
    static Path tmp;
    static OrthancServer orthanc;
    static PacsTestData data;
    static SparkSession spark;

    @BeforeAll
    static void setUp() {
        orthanc = OrthancServer.start();
        data = PacsTestData.write(tmp.resolve("generated"));
        data.uploadTo(orthanc);
        spark = LakeSpark.builder("pacs-ingest-it").master("local[2]").getOrCreate();
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) {
            spark.stop();
        }
        if (orthanc != null) {
            orthanc.stop();
        }
    }

    private static List<Row> instances(Path lake) {
        return spark.read().format("delta").load(LakeLayout.at(lake).tableUri(Tables.INSTANCES)).collectAsList();
    }

    @Test
    void dicomWebStudiesLandInTheLakeOnceWithTheirPacsSource() {
        Path lake = tmp.resolve("lake-dicomweb");
        String source = "dicomweb+" + orthanc.dicomWebUrl() + "?StudyDate=20240101-20241231";

        IngestResult first = IngestJob.run(spark, IngestRequest.of(lake, "demo", "pacs", source));
        IngestResult again = IngestJob.run(spark, IngestRequest.of(lake, "demo", "pacs", source));

        assertThat(first.instancesAdded()).isEqualTo(data.ct2024.files().size());
        assertThat(again.instancesAdded()).isZero();
        assertThat(again.instancesExisting()).isEqualTo(data.ct2024.files().size());
        assertThat(instances(lake)).extracting(r -> r.<String>getAs(Instances.SOP_INSTANCE_UID))
                .containsExactlyInAnyOrderElementsOf(data.ct2024.sopInstanceUids());
        assertThat(instances(lake)).allSatisfy(r -> assertThat(r.<String>getAs(Instances.SOURCE_URI))
                .startsWith("dicomweb+" + orthanc.dicomWebUrl() + "/studies/" + data.ct2024.studyInstanceUid()));
        // Staged files are scratch: nothing stays behind.
        assertThat(lake.resolve("objects/tmp")).isEmptyDirectory();
    }

    @Test
    void cMoveOfAPatientLandsItsStudy() {
        Path lake = tmp.resolve("lake-dimse");
        int scpPort = FreePorts.next();
        orthanc.registerModality("medlake-it", "MEDLAKE", "127.0.0.1", scpPort);
        String source = "dimse://" + orthanc.aeTitle() + "@127.0.0.1:" + orthanc.dicomPort()
                + "?PatientID=PACS-P2&calling=MEDLAKE&move-dest=MEDLAKE&scp-port=" + scpPort;

        IngestResult r = IngestJob.run(spark, IngestRequest.of(lake, "demo", "pacs", source));

        assertThat(r.instancesAdded()).isEqualTo(data.mr2023.files().size());
        assertThat(instances(lake)).extracting(row -> row.<String>getAs(Instances.PATIENT_ID)).containsOnly("PACS-P2");
    }

    @Test
    void theGatewayLandsWhatStorescuSends() throws Exception {
        Path lake = tmp.resolve("lake-gateway");
        int port = FreePorts.next();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        Arrays.stream(System.getProperty("medlake.spark.opens", "").split(" ")).filter(s -> !s.isBlank()).forEach(cmd::add);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), GatewayMain.class.getName(), "--lake", lake.toString(),
                "--ae-title", "MEDLAKE", "--port", String.valueOf(port), "--batch", "2", "--max-delay", "1"));
        Process gateway = new ProcessBuilder(cmd).redirectError(tmp.resolve("gateway.err").toFile()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertThat(line).as("gateway banner").contains("listening on port " + port);

            List<String> send = new ArrayList<>(List.of("storescu", "-aec", "MEDLAKE", "-aet", "SCANNER1", "127.0.0.1",
                    String.valueOf(port)));
            data.mr2023.files().forEach(f -> send.add(f.toString()));
            Process storescu = new ProcessBuilder(send).redirectErrorStream(true).start();
            assertThat(storescu.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(storescu.exitValue()).isZero();

            long landed = 0;
            while (landed < data.mr2023.files().size() && (line = out.readLine()) != null) {
                if (line.startsWith("{")) {
                    landed += Long.parseLong(line.replaceAll(".*\"instances_added\":(\\d+).*", "$1"));
                }
            }
            assertThat(landed).isEqualTo(data.mr2023.files().size());
        } finally {
            gateway.destroy(); // SIGTERM: the gateway flushes and stops
            assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(instances(lake)).extracting(r -> r.<String>getAs(Instances.SOP_INSTANCE_UID))
                .containsExactlyInAnyOrderElementsOf(data.mr2023.sopInstanceUids());
        assertThat(instances(lake)).allSatisfy(r -> assertThat(r.<String>getAs(Instances.SOURCE_URI))
                .startsWith("dimse-store://SCANNER1@"));
    }
}
