package org.medlake.curation.pipeline;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.medlake.ingest.LakeSpark;

/**
 * {@code curate --lake DIR [--json]}: curates every series of the lake that changed since it was last curated
 * (see {@link CurateJob}). Prints a summary; with {@code --json} the last line is
 * {@code {"run_id":..,"series_in_lake":N,"series_curated":N,"deid":{..},"completeness":{..},"qa":{..},"series_types":{..}}}.
 * Exit codes: 0 done, 2 bad arguments or no lake, 1 other failures.
 */
public final class CurateMain {
    static final String USAGE = String.join("\n",
            "usage: curate --lake DIR [--json] [--master URL]",
            "  De-identification check, completeness, classification and QA of every new or changed series.",
            "  --lake DIR    the lake folder (as given to ingest)",
            "  --json        end with one JSON summary line",
            "  --master URL  Spark master (default local[*], or $MEDLAKE_SPARK_MASTER)");

    private CurateMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, null));
    }

    /** Runs the command on {@code spark}, or on a new session when it is null; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, SparkSession spark) {
        Path lake = null;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                case "--lake", "--master" -> {
                    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                        return usage(err, args[i] + " needs a value");
                    }
                    if (args[i].equals("--lake")) {
                        lake = Path.of(args[++i]).toAbsolutePath().normalize();
                    } else {
                        System.setProperty(LakeSpark.MASTER_PROPERTY, args[++i]);
                    }
                }
                case "--json" -> json = true;
                default -> {
                    return usage(err, "unknown argument '" + args[i] + "'");
                }
            }
        }
        if (lake == null) {
            return usage(err, "--lake is required");
        }
        if (!Files.isDirectory(lake.resolve("tables"))) {
            err.println("curate: " + lake + " is not a lake (no tables/ folder). Fix: pass the folder given to "
                    + "./medlake ingest --lake.");
            return 2;
        }
        boolean own = spark == null;
        SparkSession session = own ? LakeSpark.session("medlake-curate") : spark;
        boolean tty = System.console() != null;
        try {
            CurateJob.Result r = CurateJob.run(session, lake, (done, total) -> {
                if (tty) {
                    int w = 30;
                    int filled = (int) (w * done / Math.max(1, total));
                    err.print("\rcurate [" + "#".repeat(filled) + ".".repeat(w - filled) + "] " + done + "/" + total
                            + " series" + (done >= total ? "\n" : ""));
                }
            });
            out.printf(Locale.ROOT, "curate run %s: %d series in the lake, %d curated (new or changed)%n", r.runId(),
                    r.seriesInLake(), r.seriesCurated());
            if (r.seriesCurated() > 0) {
                out.println("  de-identification: " + r.deid());
                out.println("  completeness:      " + r.completeness());
                out.println("  QA:                " + r.qa());
                out.println("  series types:      " + r.seriesTypes());
                out.println("  NIfTI:             " + r.nifti());
            }
            if (json) {
                out.println("{\"run_id\":\"" + r.runId() + "\",\"series_in_lake\":" + r.seriesInLake()
                        + ",\"series_curated\":" + r.seriesCurated() + ",\"deid\":" + json(r.deid())
                        + ",\"completeness\":" + json(r.completeness()) + ",\"qa\":" + json(r.qa())
                        + ",\"series_types\":" + json(r.seriesTypes()) + ",\"nifti\":" + json(r.nifti()) + "}");
            }
            return 0;
        } catch (RuntimeException e) {
            err.println("curate: failed: " + e + ". Nothing was half-written: series whose results were not "
                    + "committed are curated again by the next run. Fix the cause and re-run the same command.");
            return 1;
        } finally {
            if (own) {
                session.stop();
            }
        }
    }

    private static String json(Map<String, Long> m) {
        return m.entrySet().stream().map(e -> "\"" + e.getKey().replace("\"", "") + "\":" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static int usage(PrintStream err, String problem) {
        err.println("curate: " + problem + "\n" + USAGE);
        return 2;
    }
}
