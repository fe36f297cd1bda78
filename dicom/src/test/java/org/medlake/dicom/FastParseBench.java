package org.medlake.dicom;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Benchmark of the header parse, old (PixelMed) path against the fast path, single-threaded (not a test; run by
 * hand after {@code mvn -o -q -pl dicom -am test-compile}):
 * <pre>
 * java -cp dicom/target/test-classes:dicom/target/classes:lake/target/classes:$(cat cp.txt) \
 *     org.medlake.dicom.FastParseBench [DIR] [warm-up files]
 * </pre>
 * where {@code cp.txt} is the module's dependency classpath ({@code mvn -o -q -pl dicom
 * dependency:build-classpath -Dmdep.outputFile=cp.txt}). DIR defaults to {@code ~/.medlake/bench/files-50000}.
 * Each file's bytes are read outside the timed region, so the figures are the parse alone:
 * {@link DicomReader#readWithPixelMed} against {@link DicomReader#read(byte[], int, String)}. A last pass times
 * {@link DicomReader#read(Path)} end to end (open, read, parse) as ingest's benchmark calls it.
 */
public final class FastParseBench {
    private FastParseBench() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : System.getProperty("user.home") + "/.medlake/bench/files-50000");
        int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        System.out.printf(Locale.ROOT, "%d files under %s%n", files.size(), dir);
        List<Path> warm = files.subList(0, Math.min(warmUp, files.size()));
        for (int i = 0; i < 3; i++) {
            time(warm, false);
            time(warm, true);
        }
        long fastBefore = DicomReader.FAST_PATH_READS.sum();
        double old = time(files, false);
        double fast = time(files, true);
        long fastReads = DicomReader.FAST_PATH_READS.sum() - fastBefore;
        System.out.printf(Locale.ROOT, "old path (PixelMed): %.1f us/file%n", old);
        System.out.printf(Locale.ROOT, "fast path:           %.1f us/file (%d of %d files took it)%n", fast, fastReads,
                files.size());
        System.out.printf(Locale.ROOT, "speed-up:            %.1fx%n", old / fast);

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long sink = 0;
        for (Path f : files) {
            sink += DicomReader.read(f).sopInstanceUid().length();
        }
        System.out.printf(Locale.ROOT, "DicomReader.read(Path), end to end: %.1f us/file wall, %.1f us/file CPU (%d)%n",
                (System.nanoTime() - t0) / 1e3 / files.size(), (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / files.size(),
                sink);
    }

    /** Mean parse time in microseconds per file, bytes read outside the timed region. */
    private static double time(List<Path> files, boolean fast) throws IOException {
        long nanos = 0;
        long sink = 0;
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            long t0 = System.nanoTime();
            InstanceHeader h = fast ? DicomReader.read(bytes, bytes.length, "bench")
                    : DicomReader.readWithPixelMed(bytes, "bench");
            nanos += System.nanoTime() - t0;
            sink += h.headerJson().length();
        }
        if (sink == 42) {
            System.out.print(""); // keeps the results alive
        }
        return nanos / 1e3 / files.size();
    }
}
