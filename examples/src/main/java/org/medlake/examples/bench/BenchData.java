package org.medlake.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.medlake.dicom.SyntheticSeries;

/**
 * The bench's synthetic source data: T1-weighted sagittal MR series of {@code matrix x matrix} 16-bit pixels,
 * {@code slices} instances each, two series per patient, enough series for at least {@code targetBytes} of pixel
 * data. Written once into a folder; the marker file beside it ({@code <dir>.complete}, holding the parameters)
 * makes a second call with the same parameters a no-op, and a folder without it (an interrupted run) is written again.
 */
final class BenchData {
    private BenchData() {}

    /** What to write. */
    record Spec(long targetBytes, int matrix, int slices) {
        Spec {
            if (targetBytes < 1 || matrix < 8 || slices < 1) {
                throw new IllegalArgumentException("bench data needs a positive size, a matrix of at least 8 and at "
                        + "least one slice per series");
            }
        }

        /** Pixel bytes of one series. */
        long seriesBytes() {
            return (long) matrix * matrix * 2 * slices;
        }

        /** Series needed to reach the target: at least one. */
        int series() {
            return (int) Math.max(1, (targetBytes + seriesBytes() - 1) / seriesBytes());
        }

        String describe() {
            return String.format(Locale.ROOT, "%d MR series of %d x %dx%d 16-bit (%.1f MiB of pixels)", series(),
                    slices, matrix, matrix, series() * seriesBytes() / 1048576.0);
        }
    }

    /** Writes the series into {@code dir} unless its marker says they are there; returns the series count. */
    static int ensure(Path dir, Spec spec, PrintStream log) {
        Path marker = dir.resolveSibling(dir.getFileName() + ".complete");
        String stamp = spec.toString();
        try {
            if (Files.isRegularFile(marker) && Files.readString(marker, StandardCharsets.UTF_8).equals(stamp)) {
                log.println("bench sdk: reusing " + spec.describe() + " in " + dir);
                return spec.series();
            }
            Files.deleteIfExists(marker);
            deleteTree(dir);
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir + ": " + e.getMessage(), e);
        }
        log.println("bench sdk: writing " + spec.describe() + " into " + dir);
        long start = System.nanoTime();
        int threads = Math.max(1, Math.min(spec.series(), Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int s = 0; s < spec.series(); s++) {
                int n = s;
                jobs.add(pool.submit(() -> writeSeries(dir, spec, n)));
            }
            for (Future<?> job : jobs) {
                job.get();
            }
            Files.writeString(marker, stamp, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the bench data", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("writing the bench data failed: " + e.getCause(), e.getCause());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            pool.shutdownNow();
        }
        log.printf(Locale.ROOT, "bench sdk: wrote %d series in %.1f s%n", spec.series(), (System.nanoTime() - start) / 1e9);
        return spec.series();
    }

    private static void writeSeries(Path dir, Spec spec, int n) {
        // Two series per patient, in one MR study (series numbers 3 and 4).
        int patientNo = n / 2 + 1;
        SyntheticSeries.Patient p = SyntheticSeries.patient(String.format(Locale.ROOT, "BENCH-%04d", patientNo),
                patientNo % 2 == 0 ? "M" : "F", 30 + patientNo % 50);
        SyntheticSeries.mrT1(p).size(spec.matrix(), spec.matrix()).slices(spec.slices())
                .studyDate(LocalDate.of(2024, 3, 1).plusDays(patientNo)).studyDescription("MR BRAIN")
                .bodyPart("BRAIN").seriesNumber(3 + n % 2)
                .writeTo(dir.resolve(p.id()).resolve((3 + n % 2) + "_MR"));
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
