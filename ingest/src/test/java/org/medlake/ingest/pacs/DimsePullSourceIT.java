package org.medlake.ingest.pacs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.ingest.ErrorCode;
import org.medlake.ingest.IngestException;
import org.medlake.testkit.FreePorts;
import org.medlake.testkit.OrthancServer;

/** DIMSE pull (C-FIND + C-MOVE to a temporary C-STORE SCP) against a real Orthanc. */
class DimsePullSourceIT {

    private static OrthancServer orthanc;
    private static PacsTestData data;
    private static int scpPort;
    @TempDir
    static Path generated;

    @BeforeAll
    static void startOrthanc() {
        orthanc = OrthancServer.start();
        data = PacsTestData.write(generated);
        data.uploadTo(orthanc);
        scpPort = FreePorts.next();
        orthanc.registerModality("medlake", "MEDLAKE", "127.0.0.1", scpPort);
    }

    @AfterAll
    static void stopOrthanc() {
        if (orthanc != null) {
            orthanc.stop();
        }
    }

    private static String base() {
        return "dimse://" + orthanc.aeTitle() + "@127.0.0.1:" + orthanc.dicomPort();
    }

    @Test
    void studyUidStagesExactlyThatStudy(@TempDir Path staging) throws Exception {
        String study = data.ct2024.studyInstanceUid();
        PacsSource source = PacsSources.parse(base() + "?StudyInstanceUID=" + study
                + "&calling=MEDLAKE&move-dest=MEDLAKE&scp-port=" + scpPort).orElseThrow();

        List<StagedInstance> staged = source.stage(staging);

        assertThat(staged.stream().map(s -> PacsTestData.sop(s.file())).toList())
                .containsExactlyInAnyOrderElementsOf(data.ct2024.sopInstanceUids());
        for (StagedInstance s : staged) {
            String sop = PacsTestData.sop(s.file());
            assertThat(s.file().getParent()).isEqualTo(staging);
            assertThat(s.sourceUri()).isEqualTo(base() + "/studies/" + study + "/series/"
                    + data.ct2024.seriesInstanceUid() + "/instances/" + sop);
            assertThat(PacsTestData.pixels(s.file())).isEqualTo(PacsTestData.pixels(data.originals().get(sop)));
        }
        try (var files = Files.list(staging)) {
            assertThat(files.map(p -> p.getFileName().toString())).allMatch(n -> n.endsWith(".dcm"));
        }
    }

    @Test
    void patientIdAndStudyDateFilters(@TempDir Path staging) {
        List<StagedInstance> mr = PacsSources.parse(base() + "?PatientID=PACS-P2&scp-port=" + scpPort).orElseThrow()
                .stage(staging.resolve("p2"));
        assertThat(mr.stream().map(s -> PacsTestData.sop(s.file())).toList())
                .containsExactlyInAnyOrderElementsOf(data.mr2023.sopInstanceUids());

        List<StagedInstance> ct = PacsSources.parse(base() + "?StudyDate=20240101-20241231&scp-port=" + scpPort).orElseThrow()
                .stage(staging.resolve("2024"));
        assertThat(ct.stream().map(s -> PacsTestData.sop(s.file())).toList())
                .containsExactlyInAnyOrderElementsOf(data.ct2024.sopInstanceUids());

        assertThat(PacsSources.parse(base() + "?PatientID=NOBODY&scp-port=" + scpPort).orElseThrow()
                .stage(staging.resolve("none"))).isEmpty();
    }

    @Test
    void unknownMoveDestinationIsAnExternalError(@TempDir Path staging) {
        PacsSource source = PacsSources.parse(base() + "?PatientID=PACS-P1&move-dest=NOBODY&scp-port=" + FreePorts.next())
                .orElseThrow();
        assertThatThrownBy(() -> source.stage(staging)).isInstanceOfSatisfying(IngestException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INGEST_EXTERNAL);
            assertThat(e.getMessage()).contains("NOBODY");
        });
    }

    @Test
    void unreachablePacsIsAnExternalError(@TempDir Path staging) {
        PacsSource source = PacsSources.parse("dimse://ORTHANC@127.0.0.1:" + FreePorts.next() + "?PatientID=X&scp-port="
                + FreePorts.next()).orElseThrow();
        assertThatThrownBy(() -> source.stage(staging)).isInstanceOfSatisfying(IngestException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INGEST_EXTERNAL);
            assertThat(e.getMessage()).contains("C-FIND").contains("Check that the PACS is running");
        });
    }
}
