package org.medlake.nifti;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code to-nifti INPUT... -o OUTDIR [--no-gzip] [--json] [--threads N]}: converts every DICOM image series found
 * under the inputs (files or folders, recursive) to NIfTI-1 with JSON sidecars (and bval/bvec for diffusion).
 *
 * <p>Series are converted in parallel (one per core by default), each written as soon as it is converted. Output
 * names are {@code <SeriesNumber>_<SeriesDescription>} plus dcm2niix-like suffixes for split outputs
 * ({@code _e2}, {@code _ph}); series that would get the same name get {@code _s2}, {@code _s3} … in series order,
 * so names do not depend on timing. Progress goes to stderr; with {@code --json} the last stdout line is a summary
 * object. Exit code: 0 when every series converted, 3 when some failed (each reported with its reason), 2 for usage
 * errors, 1 when the run itself failed.
 */
public final class ToNiftiMain {
    static final String USAGE = "usage: to-nifti INPUT... -o OUTDIR [--no-gzip] [--json] [--threads N]\n"
            + "  INPUT      DICOM files or folders (searched recursively)\n"
            + "  -o OUTDIR  output folder (created when missing)\n"
            + "  --no-gzip  write .nii instead of .nii.gz\n"
            + "  --json     print a JSON summary as the last stdout line\n"
            + "  --threads  series converted in parallel (default: number of cores)\n";

    /** Per-phase timings on stderr when the environment variable MEDLAKE_NIFTI_PROFILE is set. */
    private static final boolean PROFILE = System.getenv("MEDLAKE_NIFTI_PROFILE") != null;

    private static final JsonFactory JSON = new JsonFactory();

    private ToNiftiMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        // The keyword lookups the sidecar needs read PixelMed's dictionary data; do it while files are scanned.
        Thread warm = new Thread(() -> Tags.KVP.getGroup(), "to-nifti-warmup");
        warm.setDaemon(true);
        warm.start();
        List<Path> inputs = new ArrayList<>();
        Path outDir = null;
        boolean gzip = true;
        boolean json = false;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "-o", "--out" -> {
                    if (i + 1 >= args.length) {
                        return usage(err, "-o needs a folder");
                    }
                    outDir = Path.of(args[++i]);
                }
                case "--no-gzip" -> gzip = false;
                case "--json" -> json = true;
                case "--threads" -> {
                    try {
                        threads = Integer.parseInt(args[++i]);
                    } catch (RuntimeException e) {
                        return usage(err, "--threads needs a whole number");
                    }
                    if (threads < 1) {
                        return usage(err, "--threads must be at least 1");
                    }
                }
                default -> {
                    if (args[i].startsWith("-")) {
                        return usage(err, "unknown option " + args[i]);
                    }
                    inputs.add(Path.of(args[i]));
                }
            }
        }
        if (inputs.isEmpty()) {
            return usage(err, "no INPUT given");
        }
        if (outDir == null) {
            return usage(err, "-o OUTDIR is required");
        }
        long start = System.nanoTime();
        NiftiConverter.Grouping grouping;
        try {
            grouping = NiftiConverter.groupSeries(inputs);
        } catch (NiftiException e) {
            err.println("to-nifti: error: " + e.getMessage());
            return e.code().exitCode();
        }
        List<NiftiConverter.SeriesFiles> series = grouping.series();
        if (PROFILE) {
            err.println("to-nifti: profile: grouping " + (System.nanoTime() - start) / 1_000_000 + " ms");
        }
        err.println("to-nifti: " + series.size() + " image series in " + series.stream().mapToInt(s -> s.files().size()).sum()
                + " files (" + grouping.ignored().size() + " other files ignored)");
        // Names are fixed before the parallel part so they do not depend on which series finishes first.
        List<String> prefixes = new ArrayList<>();
        Map<String, Integer> used = new HashMap<>();
        for (NiftiConverter.SeriesFiles s : series) {
            int n = used.merge(baseKey(s), 1, Integer::sum);
            prefixes.add(n == 1 ? "" : "_s" + n);
        }
        final Path dir = outDir;
        final boolean gz = gzip;
        AtomicInteger done = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long[] lastProgress = {System.nanoTime()};
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, Math.max(1, series.size())), r -> {
            Thread t = new Thread(r, "to-nifti");
            t.setDaemon(true);
            return t;
        });
        List<Future<String>> futures = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            NiftiConverter.SeriesFiles s = series.get(i);
            String collision = prefixes.get(i);
            futures.add(pool.submit(() -> {
                long t0 = System.nanoTime();
                NiftiConverter.SeriesOutcome o = NiftiConverter.convert(s);
                long t1 = System.nanoTime();
                NiftiException failure = o.failure();
                List<List<Path>> written = new ArrayList<>();
                List<int[]> dims = new ArrayList<>();
                if (failure == null) {
                    try {
                        for (NiftiResult r : o.results()) {
                            written.add(r.writeTo(dir, r.baseName() + collision, gz));
                            dims.add(r.dims());
                        }
                    } catch (NiftiException e) {
                        failure = e;
                    }
                }
                StringWriter w = new StringWriter();
                try (JsonGenerator g = JSON.createGenerator(w)) {
                    g.writeStartObject();
                    g.writeStringField("seriesInstanceUid", s.seriesInstanceUid());
                    g.writeNumberField("seriesNumber", s.seriesNumber());
                    g.writeNumberField("files", s.files().size());
                    if (failure == null) {
                        g.writeStringField("status", "converted");
                        g.writeArrayFieldStart("outputs");
                        for (int k = 0; k < written.size(); k++) {
                            g.writeStartObject();
                            g.writeArrayFieldStart("paths");
                            for (Path p : written.get(k)) {
                                g.writeString(p.toString());
                            }
                            g.writeEndArray();
                            g.writeArrayFieldStart("dims");
                            for (int d : dims.get(k)) {
                                g.writeNumber(d);
                            }
                            g.writeEndArray();
                            g.writeEndObject();
                        }
                        g.writeEndArray();
                    } else {
                        g.writeStringField("status", "failed");
                        g.writeStringField("code", failure.code().name());
                        g.writeStringField("reason", failure.getMessage());
                    }
                    g.writeEndObject();
                }
                if (failure != null) {
                    failed.incrementAndGet();
                    err.println("to-nifti: series " + s.seriesNumber() + " (" + s.seriesInstanceUid() + ") not converted: "
                            + failure.code() + ": " + failure.getMessage());
                }
                if (PROFILE) {
                    err.println("to-nifti: profile: series " + s.seriesNumber() + " convert " + (t1 - t0) / 1_000_000
                            + " ms, write " + (System.nanoTime() - t1) / 1_000_000 + " ms");
                }
                int d = done.incrementAndGet();
                synchronized (lastProgress) {
                    if (System.nanoTime() - lastProgress[0] > 2_000_000_000L) {
                        lastProgress[0] = System.nanoTime();
                        err.println("to-nifti: " + d + "/" + series.size() + " series done (" + failed.get() + " failed)");
                    }
                }
                return w.toString();
            }));
        }
        List<String> outputs = new ArrayList<>();
        try {
            for (Future<String> f : futures) {
                outputs.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("to-nifti: interrupted");
            return 1;
        } catch (ExecutionException e) {
            err.println("to-nifti: error: " + e.getCause());
            return 1;
        } finally {
            pool.shutdownNow();
        }
        int converted = series.size() - failed.get();
        err.println("to-nifti: " + converted + " of " + series.size() + " series converted, " + failed.get()
                + " failed, in " + (System.nanoTime() - start) / 1_000_000 + " ms -> " + outDir);
        if (json) {
            StringBuilder summary = new StringBuilder();
            summary.append("{\"series\":").append(series.size()).append(",\"converted\":").append(converted)
                    .append(",\"failed\":").append(failed.get()).append(",\"ignoredFiles\":")
                    .append(grouping.ignored().size()).append(",\"outputs\":[").append(String.join(",", outputs))
                    .append("]}");
            out.println(summary);
        }
        out.flush();
        return failed.get() == 0 ? 0 : 3;
    }

    private static String baseKey(NiftiConverter.SeriesFiles s) {
        return s.seriesNumber() + "|" + s.baseNameHint();
    }

    private static int usage(PrintStream err, String problem) {
        err.println("to-nifti: " + problem);
        err.print(USAGE);
        return 2;
    }
}
