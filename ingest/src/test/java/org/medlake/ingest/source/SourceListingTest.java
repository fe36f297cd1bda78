package org.medlake.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceListingTest {
    @TempDir
    Path tmp;

    @Test
    void fileUrisAreSpelledExactlyAsPathToUri() throws Exception {
        for (String name : List.of("plain.dcm", "a b.dcm", "c#d%e.dcm", "\u00fcber[1].dcm", "q?x;y@z&=+$,.dcm", "\u65e5\u672c.dcm")) {
            Path f = Files.writeString(tmp.resolve(name), "x");
            assertThat(SourceListing.fileUri(f)).as(name).isEqualTo(f.toUri().toString());
        }
    }

    @Test
    void listsEveryRegularFileRecursivelyInOrder() throws Exception {
        Files.createDirectories(tmp.resolve("b/c"));
        Path one = Files.writeString(tmp.resolve("b/c/one.dcm"), "1");
        Path two = Files.writeString(tmp.resolve("a two.dcm"), "2");
        Files.createSymbolicLink(tmp.resolve("link.dcm"), one);
        List<String> files = SourceListing.listFiles(new Configuration(), List.of(tmp.toString()));
        assertThat(files).containsExactly(two.toUri().toString(), one.toUri().toString(),
                tmp.resolve("link.dcm").toUri().toString());
    }
}
