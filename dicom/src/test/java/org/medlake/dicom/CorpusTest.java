package org.medlake.dicom;

import org.medlake.dicom.testing.SharedCorpus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the reader over the shared public corpus ({@code ../shared/corpus}, described by its MANIFEST.tsv) when it
 * is present; skipped otherwise. Files are read in place, never copied.
 */
class CorpusTest {
    private static Path corpus() {
        return SharedCorpus.orNull();
    }

    private static List<String[]> manifest(Path corpus) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(corpus.resolve("MANIFEST.tsv"))) {
            String[] cols = line.split("\t", -1);
            if (cols.length >= 7 && !cols[0].equals("path")) {
                rows.add(cols);
            }
        }
        return rows;
    }

    @Test
    void brokenAndNonDicomFilesAreRejectedCleanly() throws IOException {
        Path corpus = corpus();
        assumeThat(corpus).as("shared corpus folder").isNotNull();
        int checked = 0;
        for (String[] row : manifest(corpus)) {
            String role = row[6];
            if (!role.equals("broken") && !role.equals("non-dicom")) continue;
            Path f = corpus.resolve(row[0]);
            DicomReadException.Reason reason = null;
            try {
                DicomReader.read(f);
            } catch (DicomReadException e) {
                reason = e.reason();
            }
            assertThat(reason).as("%s (%s)", row[0], role).isNotNull();
            if (role.equals("non-dicom")) {
                assertThat(reason).as(row[0]).isEqualTo(DicomReadException.Reason.NOT_DICOM);
            }
            checked++;
        }
        assertThat(checked).isGreaterThan(10);
    }

    @Test
    void filesOfCompleteSeriesAreRead() throws IOException {
        Path corpus = corpus();
        assumeThat(corpus).as("shared corpus folder").isNotNull();
        int read = 0;
        for (String[] row : manifest(corpus)) {
            if (!row[6].startsWith("series:")) continue;
            InstanceHeader h = DicomReader.read(corpus.resolve(row[0]));
            assertThat(h.sopInstanceUid()).as(row[0]).isNotBlank();
            if (!row[3].equals("-")) {
                assertThat(h.modality()).as(row[0]).isEqualTo(row[3]);
            }
            read++;
        }
        assertThat(read).isGreaterThan(100);
    }
}
