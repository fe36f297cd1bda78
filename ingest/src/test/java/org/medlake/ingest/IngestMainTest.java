package org.medlake.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Argument handling and formatting, no Spark. */
class IngestMainTest {
    @Test
    void parsesSourcesAndOptions() {
        IngestMain.Options o = IngestMain.parse(new String[] {"a", "--lake", "/l", "b", "--project", "p1", "--site", "s", "--json"});
        assertThat(o.sources()).containsExactly("a", "b");
        assertThat(o.lake()).isEqualTo(Path.of("/l"));
        assertThat(o.project()).isEqualTo("p1");
        assertThat(o.site()).isEqualTo("s");
        assertThat(o.json()).isTrue();
        assertThat(IngestMain.parse(new String[] {"x", "--lake", "/l"}).project()).isEqualTo("demo");
        assertThat(IngestMain.parse(new String[] {"--help"})).isNull();
    }

    @Test
    void badArgumentsExitWith2BeforeSparkStarts() {
        for (String[] args : new String[][] {{"--lake", "/l"}, {"src"}, {"src", "--lake"}, {"src", "--lake", "/l", "--bogus"}}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = IngestMain.run(null, args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
            assertThat(code).as(String.join(" ", args)).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: ingest");
        }
        assertThat(SqlMain.run(null, new String[] {"--lake", "/l"}, System.out, new PrintStream(new ByteArrayOutputStream()))).isEqualTo(2);
        assertThat(SqlMain.run(null, new String[] {"SELECT 1"}, System.out, new PrintStream(new ByteArrayOutputStream()))).isEqualTo(2);
    }

    @Test
    void invalidProjectIsAUserError() {
        assertThatThrownBy(() -> IngestRequest.of(Path.of("/l"), "bad project!", null, "x"))
                .isInstanceOfSatisfying(IngestException.class,
                        e -> assertThat(e.category()).isEqualTo(ErrorCode.Category.USER_ERROR));
    }

    @Test
    void plainPathsBecomeFileUris() {
        assertThat(IngestJob.toUri("/tmp/a b")).isEqualTo(URI.create("file:///tmp/a%20b"));
        assertThat(IngestJob.toUri("hdfs://nn/x")).isEqualTo(URI.create("hdfs://nn/x"));
    }

    @Test
    void jsonLineHasTheContractKeys() {
        IngestResult r = new IngestResult("r1", "demo", 7, 3, 1, 2, 1, 0, 2, 1, Instant.EPOCH, Instant.EPOCH);
        assertThat(r.toJson()).isEqualTo("{\"run_id\":\"r1\",\"files_seen\":7,\"instances_added\":3,"
                + "\"instances_existing\":1,\"quarantined\":2,\"not_dicom\":1,\"series\":2,\"studies\":1}");
    }
}
