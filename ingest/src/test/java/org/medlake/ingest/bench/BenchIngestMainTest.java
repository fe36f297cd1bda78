package org.medlake.ingest.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.dicom.DicomReader;

class BenchIngestMainTest {
    @TempDir
    Path dir;

    @Test
    void parsesOptions() {
        BenchIngestMain.Options o = BenchIngestMain.parse(new String[] {"ingest", "--files", "120", "--dir", "/x/d",
                "--lake", "/x/l", "--json"});
        assertThat(o).isEqualTo(new BenchIngestMain.Options(120, Path.of("/x/d"), Path.of("/x/l"), true));
        assertThat(BenchIngestMain.parse(new String[] {}).files()).isEqualTo(50_000);
        assertThat(BenchIngestMain.parse(new String[] {"--help"})).isNull();
        assertThatThrownBy(() -> BenchIngestMain.parse(new String[] {"--files", "0"})).hasMessageContaining("--files");
        assertThatThrownBy(() -> BenchIngestMain.parse(new String[] {"--nope"})).hasMessageContaining("--nope");
    }

    @Test
    void generatesExactlyNReadableInstancesOnceWithTheMarkerOutsideTheFolder() throws Exception {
        Path files = dir.resolve("files");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        BenchIngestMain.generate(files, 123, quiet);
        var list = BenchIngestMain.listFiles(files);
        assertThat(list).hasSize(123);
        assertThat(Files.readString(BenchIngestMain.marker(files))).isEqualTo("123");
        assertThat(list).allSatisfy(f -> assertThat(DicomReader.read(f).rows()).isEqualTo(64));
        long before = Files.getLastModifiedTime(list.get(0)).toMillis();
        BenchIngestMain.generate(files, 123, quiet);
        assertThat(Files.getLastModifiedTime(list.get(0)).toMillis()).isEqualTo(before);
    }

    @Test
    void jsonHasTheAgreedKeysAndRatios() {
        var f = new BenchIngestMain.Figures(1000, 9_000_000, 0.1, 10.0, 1000, 0.5, 0.3, 2, 4.0, "{}");
        String json = BenchIngestMain.json(f);
        assertThat(json).startsWith("{\"files\":1000,\"ingest_instances_s\":100.0,\"cat_files_s\":10000.0,"
                + "\"ratio_to_cat\":0.01,\"pydicom_instances_s\":250.0,\"ratio_to_pydicom\":0.4,"
                + "\"parse_only_instances_s\":2000.0");
        assertThat(BenchIngestMain.json(new BenchIngestMain.Figures(1, 1, 1, 1, 1, 1, 1, 1, null, "{}")))
                .contains("\"pydicom_instances_s\":null,\"ratio_to_pydicom\":null");
        assertThat(BenchIngestMain.jsonLong("{\"instances_added\":42,\"x\":1}", "instances_added", -1)).isEqualTo(42);
    }
}
