package org.medlake.ingest.pacs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.ingest.ErrorCode;
import org.medlake.ingest.IngestException;
import org.medlake.testkit.FreePorts;
import org.medlake.testkit.OrthancServer;

/** DICOMweb staging (QIDO-RS + WADO-RS) against a real Orthanc with the DICOMweb plugin. */
class DicomWebSourceIT {

    private static OrthancServer orthanc;
    private static PacsTestData data;
    @TempDir
    static Path generated;

    @BeforeAll
    static void startOrthanc() {
        orthanc = OrthancServer.start();
        data = PacsTestData.write(generated);
        data.uploadTo(orthanc);
    }

    @AfterAll
    static void stopOrthanc() {
        if (orthanc != null) {
            orthanc.stop();
        }
    }

    private static String base() {
        return orthanc.dicomWebUrl().replace("http://", "dicomweb+http://");
    }

    @Test
    void studyDateFilterStagesExactlyThe2024StudyByteForByte(@TempDir Path staging) throws Exception {
        PacsSource source = PacsSources.parse(base() + "?StudyDate=20240101-20241231").orElseThrow();

        List<StagedInstance> staged = source.stage(staging);

        Map<String, Path> originals = data.originals();
        assertThat(staged).hasSize(data.ct2024.files().size());
        for (StagedInstance s : staged) {
            String sop = PacsTestData.sop(s.file());
            assertThat(data.ct2024.sopInstanceUids()).contains(sop);
            assertThat(s.file().getParent()).isEqualTo(staging);
            assertThat(s.file().getFileName().toString()).matches("[0-9a-f]{64}\\.dcm");
            assertThat(s.sourceUri()).isEqualTo(base() + "/studies/" + data.ct2024.studyInstanceUid() + "/series/"
                    + data.ct2024.seriesInstanceUid() + "/instances/" + sop);
            // transfer-syntax=* gives the stored file back unchanged
            assertThat(Files.readAllBytes(s.file())).isEqualTo(Files.readAllBytes(originals.get(sop)));
        }
        assertThat(staged.stream().map(s -> PacsTestData.sop(s.file())).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(data.ct2024.sopInstanceUids());
        try (var files = Files.list(staging)) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".part"))).isEmpty();
        }
    }

    @Test
    void patientFilterAndNoMatch(@TempDir Path staging) {
        List<StagedInstance> mr = PacsSources.parse(base() + "?PatientID=PACS-P2").orElseThrow().stage(staging.resolve("mr"));
        assertThat(mr.stream().map(s -> PacsTestData.sop(s.file())).toList())
                .containsExactlyInAnyOrderElementsOf(data.mr2023.sopInstanceUids());
        for (StagedInstance s : mr) {
            assertThat(PacsTestData.pixels(s.file())).isEqualTo(PacsTestData.pixels(data.originals().get(PacsTestData.sop(s.file()))));
        }

        assertThat(PacsSources.parse(base() + "?StudyDate=19000101-19001231").orElseThrow().stage(staging.resolve("none")))
                .isEmpty();
        assertThat(PacsSources.parse(base()).orElseThrow().stage(staging.resolve("all")))
                .hasSize(data.originals().size());
    }

    @Test
    void unreachableServerIsAnExternalError(@TempDir Path staging) {
        PacsSource source = PacsSources.parse("dicomweb+http://127.0.0.1:" + FreePorts.next() + "/dicom-web").orElseThrow();
        assertThatThrownBy(() -> source.stage(staging)).isInstanceOfSatisfying(IngestException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INGEST_EXTERNAL);
            assertThat(e.getMessage()).contains("unreachable").contains("Check that the PACS is running");
        });
    }

    @Test
    void wrongRootIsAnExternalErrorNamingTheStatus(@TempDir Path staging) {
        PacsSource source = PacsSources.parse(orthanc.httpUrl().replace("http://", "dicomweb+http://") + "/no-such-root")
                .orElseThrow();
        assertThatThrownBy(() -> source.stage(staging)).isInstanceOfSatisfying(IngestException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INGEST_EXTERNAL);
            assertThat(e.getMessage()).contains("HTTP 404");
        });
    }
}
