package org.medlake.dicom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Micro benchmark of the header parse (not a test; run by hand):
 * {@code java -cp dicom/target/test-classes:dicom/target/classes:$(cat dicom/target/classpath.txt) org.medlake.dicom.DicomReaderBench DIR [passes]}.
 * Writes a demo set into DIR when it is empty, then times {@link DicomReader#read(Path)} over every file.
 */
public final class DicomReaderBench {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/medlake-reader-bench");
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        boolean json = args.length > 2 && args[2].equals("json");
        if (!Files.isDirectory(dir) || isEmpty(dir)) {
            SyntheticSeries.writeDemoSet(dir, 40);
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (int p = 0; p < passes; p++) {
            long t0 = System.nanoTime();
            long sink = 0;
            for (Path f : files) {
                InstanceHeader h = DicomReader.read(f);
                sink += h.sopInstanceUid().length();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "pass %d: %d files in %.3f s = %.0f files/s (%d)%n", p, files.size(), s,
                    files.size() / s, sink);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
