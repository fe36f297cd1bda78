package org.medlake.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SourceReader} on local files: each small file is handed over whole, whatever was read before it. */
class SourceReaderTest {
    @TempDir
    Path dir;

    private record Seen(String uri, byte[] bytes, SourceReader.Container container) {}

    private Seen read(Path file) throws Exception {
        List<byte[]> bytes = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        SourceReader.Container c = SourceReader.forEachEntry(file.toUri().toString(), new Configuration(),
                (uri, in, size, inPlace) -> {
                    uris.add(uri);
                    if (in instanceof SourceReader.WholeFile whole) {
                        assertThat(whole.length()).isEqualTo(size);
                        bytes.add(Arrays.copyOf(whole.bytes(), whole.length()));
                    } else {
                        bytes.add(in.readAllBytes());
                    }
                });
        assertThat(uris).hasSize(1);
        return new Seen(uris.get(0), bytes.get(0), c);
    }

    @Test
    void aSmallFileAfterLargerOnesIsNotMistakenForWhatTheBufferHeldBefore() throws Exception {
        byte[] big = new byte[300_000];
        new java.util.Random(5).nextBytes(big);
        big[0] = 1; // not a container signature
        Path bigFile = Files.write(dir.resolve("big.bin"), big);
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zipped)) {
            z.putNextEntry(new ZipEntry("inner.dcm"));
            z.write("inside".getBytes());
        }
        Path zip = Files.write(dir.resolve("a.zip"), zipped.toByteArray());
        Path tiny = Files.write(dir.resolve("tiny.dcm"), new byte[] {'P', 'K'});
        Path empty = Files.write(dir.resolve("empty.dcm"), new byte[0]);

        Seen first = read(bigFile);
        assertThat(first.container()).isEqualTo(SourceReader.Container.PLAIN);
        assertThat(first.bytes()).isEqualTo(big);

        Seen archive = read(zip);
        assertThat(archive.container()).isEqualTo(SourceReader.Container.ZIP);
        assertThat(archive.uri()).endsWith("a.zip!/inner.dcm");
        assertThat(new String(archive.bytes())).isEqualTo("inside");

        // Two bytes of the zip signature, then nothing: the stale rest of the buffer must not complete it.
        Seen two = read(tiny);
        assertThat(two.container()).isEqualTo(SourceReader.Container.PLAIN);
        assertThat(two.bytes()).isEqualTo(new byte[] {'P', 'K'});

        Seen none = read(empty);
        assertThat(none.container()).isEqualTo(SourceReader.Container.PLAIN);
        assertThat(none.bytes()).isEmpty();

        assertThat(read(bigFile).bytes()).isEqualTo(big);
    }
}
