package org.medlake.nifti;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The to-nifti command on a folder with two image series of one name, a non-DICOM file and a broken series. */
class ToNiftiMainTest {
    @TempDir
    Path dir;

    @Test
    void convertsEverySeriesNamesDeterministicallyAndReportsFailures() throws Exception {
        Path in = dir.resolve("in");
        Files.createDirectories(in.resolve("sub"));
        for (int series = 0; series < 2; series++) {
            String uid = TestDicom.uid();
            for (int z = 0; z < 2; z++) {
                TestDicom.Slice s = new TestDicom.Slice();
                s.seriesUid = uid;
                s.ipp = new double[] {0, 0, z};
                s.instanceNumber = z + 1;
                s.write(in.resolve("sub").resolve("s" + series + "_" + z + ".dcm"));
            }
        }
        // a series with a slice missing from its second volume cannot be converted
        String bad = TestDicom.uid();
        for (int i = 0; i < 3; i++) {
            TestDicom.Slice s = new TestDicom.Slice();
            s.seriesUid = bad;
            s.seriesNumber = 9;
            s.ipp = new double[] {0, 0, i % 2 == 0 ? 0 : 1};
            s.ipp[2] = i == 2 ? 0 : s.ipp[2];
            s.instanceNumber = i + 1;
            s.write(in.resolve("bad" + i + ".dcm"));
        }
        Files.writeString(in.resolve("notes.txt"), "not dicom");
        Path out = dir.resolve("out");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream(), stderr = new ByteArrayOutputStream();
        int rc = ToNiftiMain.run(new String[] {in.toString(), "-o", out.toString(), "--json"},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        String[] lines = stdout.toString(StandardCharsets.UTF_8).trim().split("\n");
        JsonNode j = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertThat(rc).isEqualTo(3);
        assertThat(j.get("series").asInt()).isEqualTo(3);
        assertThat(j.get("converted").asInt()).isEqualTo(2);
        assertThat(j.get("failed").asInt()).isEqualTo(1);
        assertThat(j.get("ignoredFiles").asInt()).isEqualTo(1);
        JsonNode failed = j.get("outputs").get(2);
        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(failed.get("code").asText()).isEqualTo("NIFTI_INCONSISTENT_SERIES");
        assertThat(failed.get("reason").asText()).contains("Fix:");
        assertThat(out.resolve("3_synthetic.nii.gz")).exists();
        assertThat(out.resolve("3_synthetic_s2.nii.gz")).exists();
        assertThat(out.resolve("3_synthetic.json")).exists();
        assertThat(stderr.toString(StandardCharsets.UTF_8)).contains("not converted: NIFTI_INCONSISTENT_SERIES");
    }

    @Test
    void usageErrorsExitWithTwo() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(sink, true, StandardCharsets.UTF_8);
        assertThat(ToNiftiMain.run(new String[] {"x"}, p, p)).isEqualTo(2);
        assertThat(ToNiftiMain.run(new String[] {"-o", "y"}, p, p)).isEqualTo(2);
        assertThat(ToNiftiMain.run(new String[] {"--bogus"}, p, p)).isEqualTo(2);
        assertThat(sink.toString(StandardCharsets.UTF_8)).contains("usage: to-nifti");
    }
}
