package org.medlake.ingest.pacs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.dicom.SyntheticSeries;
import org.medlake.testkit.OrthancServer;

/** The DICOM gateway receiving pushes from dcmtk's storescu (a real DIMSE sender). */
class PacsGatewayIT {

    @TempDir
    Path tmp;

    @Test
    void deliversBatchesWithTheCallingAeInTheSourceUri() throws Exception {
        SyntheticSeries.Written series = SyntheticSeries.ct(SyntheticSeries.patient("GW-P1", "F", 40)).slices(5).size(32, 32)
                .writeTo(tmp.resolve("in"));
        List<List<StagedInstance>> batches = new CopyOnWriteArrayList<>();
        try (PacsGateway gateway = PacsGateway.start("MEDLAKE", 0, tmp.resolve("staging"), 2, Duration.ofMillis(300),
                batches::add)) {
            storescu("SCANNER1", gateway.port(), series.files());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (batches.stream().mapToInt(List::size).sum() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            // delivered before close: batches of 2 on size, the remainder by the timer
            assertThat(batches.stream().mapToInt(List::size).sum()).isEqualTo(5);
        }
        assertThat(batches).allSatisfy(b -> assertThat(b.size()).isBetween(1, 2));
        List<StagedInstance> all = batches.stream().flatMap(List::stream).toList();
        assertThat(all.stream().map(s -> PacsTestData.sop(s.file())).toList())
                .containsExactlyInAnyOrderElementsOf(series.sopInstanceUids());
        assertThat(all).allSatisfy(s -> {
            assertThat(s.file().getParent()).isEqualTo(tmp.resolve("staging"));
            assertThat(s.sourceUri()).isEqualTo("dimse-store://SCANNER1@127.0.0.1/studies/" + series.studyInstanceUid()
                    + "/series/" + series.seriesInstanceUid() + "/instances/" + PacsTestData.sop(s.file()));
        });
    }

    @Test
    void closeFlushesTheLastBatch() throws Exception {
        SyntheticSeries.Written series = SyntheticSeries.mrT1(SyntheticSeries.patient("GW-P2", "M", 50)).slices(3).size(32, 32)
                .writeTo(tmp.resolve("in2"));
        List<List<StagedInstance>> batches = new CopyOnWriteArrayList<>();
        PacsGateway gateway = PacsGateway.start("MEDLAKE", 0, tmp.resolve("staging2"), 100, Duration.ofHours(1), batches::add);
        try {
            storescu("CT ROOM 2", gateway.port(), series.files());
            assertThat(batches).isEmpty();
        } finally {
            gateway.close();
        }
        assertThat(batches).hasSize(1);
        assertThat(batches.get(0)).hasSize(3)
                .allSatisfy(s -> assertThat(s.sourceUri()).startsWith("dimse-store://CT%20ROOM%202@127.0.0.1/studies/"));
        assertThat(gateway.receivedCount()).isEqualTo(3);
        assertThat(gateway.deliveredCount()).isEqualTo(3);
    }

    private static void storescu(String callingAe, int port, List<Path> files) throws Exception {
        Path binary = Path.of("/usr/bin/storescu");
        if (!binary.toFile().canExecute()) {
            OrthancServer.start().stop(); // installs the packages (dcmtk included) through infra/bin/ensure-packages
        }
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-aec", "MEDLAKE", "-aet", callingAe,
                "127.0.0.1", Integer.toString(port)));
        files.forEach(f -> cmd.add(f.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("storescu output:\n" + out).isZero();
    }
}
