package org.medlake.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.medlake.dicom.testing.SharedCorpus;

/**
 * The fast path over every file of the shared public corpus ({@code ../shared/corpus}), when present; skipped
 * otherwise. For each file the fast parser either declines or gives the PixelMed path's header, and
 * {@link DicomReader#read(Path)} and {@link DicomReader#read(java.io.InputStream, long, String)} (fast path, or
 * fallback with the bytes already buffered replayed) give exactly what the PixelMed path gives: the same header, or a
 * {@link DicomReadException} with the same reason. Files are read in place, never copied.
 */
class FastParseCorpusTest {
    @Test
    void fastPathDeclinesOrAgreesWithPixelMedOnEveryCorpusFile() throws IOException {
        Path corpus = SharedCorpus.orNull();
        assumeThat(corpus).as("shared corpus folder").isNotNull();
        List<Path> files;
        try (Stream<Path> s = Files.walk(corpus)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        SoftAssertions soft = new SoftAssertions();
        int fast = 0;
        int readable = 0;
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            String name = corpus.relativize(f).toString();
            Object pixelMed = FastParseEdgeCaseTest.outcome(() -> DicomReader.readWithPixelMed(bytes, f.toString()));
            if (pixelMed instanceof InstanceHeader) {
                readable++;
            }
            InstanceHeader header = FastHeaderParser.parse(bytes, bytes.length);
            if (header != null) {
                fast++;
                soft.assertThat((Object) header).as("fast path on %s", name).isEqualTo(pixelMed);
            }
            soft.assertThat(FastParseEdgeCaseTest.outcome(() -> DicomReader.read(f))).as("DicomReader.read on %s", name)
                    .isEqualTo(pixelMed);
            soft.assertThat(FastParseEdgeCaseTest.outcome(
                            () -> DicomReader.read(new ByteArrayInputStream(bytes), bytes.length, f.toString())))
                    .as("DicomReader.read(stream, size) on %s", name).isEqualTo(pixelMed);
        }
        soft.assertAll();
        System.out.printf("fast path: %d of %d corpus files (%d of them readable by PixelMed)%n", fast, files.size(),
                readable);
        assertThat(fast).as("corpus files on the fast path").isGreaterThan(readable * 9 / 10);
    }
}
