package org.medlake.examples.bench;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.medlake.access.TokenAuthenticator;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.index.SeriesIndex;
import org.medlake.cohort.index.SeriesIndexer;
import org.medlake.cohort.search.SeriesSearch;
import org.medlake.lake.LakeLayout;
import org.medlake.server.ApiServer;
import org.medlake.server.InstanceCatalog;
import org.medlake.server.ServerConfig;

/**
 * {@code ./medlake bench sdk}'s Java side, in two steps the launcher runs around ingest and curate (which run in
 * their own Spark JVMs):
 *
 * <pre>
 * BenchSdkMain generate --gib X --out DIR [--matrix 512] [--slices 128]
 * BenchSdkMain measure --lake DIR [--runs 3] [--threads 4] [--budget-mib 256] [--es URL] [--issuer URL]
 *                      [--user alice --password alice] [--project demo] [--index-tag bench-sdk] [--work DIR]
 *                      [--cache-dir DIR] [--json]
 * </pre>
 *
 * <p>{@code generate} writes the synthetic MR series ({@link BenchData}), reused when already there. {@code measure}
 * indexes the curated lake into an isolated Elasticsearch index ({@code medlake-series-<tag>}, dropped at the end;
 * the live index is never touched), starts the REST API in this JVM on a free port with the real Keycloak issuer,
 * and runs {@link SdkBench}: cohort {@code bench-sdk} of the project (created and frozen on first use), then raw
 * HTTP and SDK passes. Human lines go to stderr; stdout gets a summary, and with {@code --json} a last line
 * {@code {"sdk_mb_s":x,"raw_http_mb_s":y,"ratio":z}}. Exit codes: 0 ok, 2 usage error, 1 failure.
 */
public final class BenchSdkMain {
    private BenchSdkMain() {}

    static final String USAGE = "usage: bench sdk generate --gib X --out DIR [--matrix 512] [--slices 128]\n"
            + "       bench sdk measure --lake DIR [--runs 3] [--threads 4] [--budget-mib 256] [--es URL] [--issuer URL]\n"
            + "                         [--user alice --password alice] [--project demo] [--index-tag bench-sdk] [--work DIR]\n"
            + "                         [--cache-dir DIR (default WORK/sdk-cache)] [--json]";

    public static void main(String[] args) {
        // The in-process API logs every request at INFO; keep the bench's output to its figures.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // Delta Kernel warns on every snapshot of a table without checkpoint, i.e. on every request here.
        System.setProperty("org.slf4j.simpleLogger.log.io.delta", "error");
        System.setProperty("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
        System.setProperty("log4j2.simplelogLevel", "WARN");
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a step and returns the exit code (no System.exit). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            out.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String step = args[0];
        double gib = 1;
        int matrix = 512, slices = 128, runs = 3, threads = 4;
        long budgetMib = 256;
        String out0 = null, lake = null, es = null, work = null, cacheDir = null;
        String issuer = System.getenv().getOrDefault("MEDLAKE_KEYCLOAK_ISSUER", ServerConfig.DEFAULT_ISSUER);
        String user = "alice", password = "alice", project = "demo", tag = "bench-sdk";
        boolean json = false;
        try {
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--gib" -> gib = Double.parseDouble(value(args, ++i, a));
                    case "--out" -> out0 = value(args, ++i, a);
                    case "--matrix" -> matrix = Integer.parseInt(value(args, ++i, a));
                    case "--slices" -> slices = Integer.parseInt(value(args, ++i, a));
                    case "--lake" -> lake = value(args, ++i, a);
                    case "--runs" -> runs = Integer.parseInt(value(args, ++i, a));
                    case "--threads" -> threads = Integer.parseInt(value(args, ++i, a));
                    case "--budget-mib" -> budgetMib = Long.parseLong(value(args, ++i, a));
                    case "--es" -> es = value(args, ++i, a);
                    case "--issuer" -> issuer = value(args, ++i, a);
                    case "--user" -> user = value(args, ++i, a);
                    case "--password" -> password = value(args, ++i, a);
                    case "--project" -> project = value(args, ++i, a);
                    case "--index-tag" -> tag = value(args, ++i, a);
                    case "--work" -> work = value(args, ++i, a);
                    case "--cache-dir" -> cacheDir = value(args, ++i, a);
                    case "--json" -> json = true;
                    default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
                }
            }
            if (!(gib > 0) || runs < 1 || threads < 1 || budgetMib < 1) {
                throw new IllegalArgumentException("--gib, --runs, --threads and --budget-mib must be positive");
            }
        } catch (IllegalArgumentException e) {
            err.println("bench sdk: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        try {
            switch (step) {
                case "generate" -> {
                    if (out0 == null) {
                        err.println("bench sdk: generate needs --out DIR\n" + USAGE);
                        return 2;
                    }
                    BenchData.ensure(Path.of(out0), new BenchData.Spec((long) (gib * (1L << 30)), matrix, slices), err);
                    return 0;
                }
                case "measure" -> {
                    if (lake == null || !Files.isDirectory(Path.of(lake))) {
                        err.println("bench sdk: measure needs --lake DIR of an ingested and curated lake\n" + USAGE);
                        return 2;
                    }
                    Path lakeDir = Path.of(lake);
                    Path workDir = work != null ? Path.of(work) : lakeDir.toAbsolutePath().getParent();
                    SdkBench.Figures f = measure(lakeDir, es, issuer, tag, new SdkBench.Options(null, issuer, user,
                            password, project, "bench-sdk", runs, threads, budgetMib << 20,
                            cacheDir != null ? Path.of(cacheDir) : workDir.resolve("sdk-cache")), err);
                    report(f, out, json);
                    return 0;
                }
                default -> {
                    err.println("bench sdk: unknown step '" + step + "'\n" + USAGE);
                    return 2;
                }
            }
        } catch (Exception e) {
            StringBuilder why = new StringBuilder(String.valueOf(e));
            for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
                why.append("; caused by ").append(t);
            }
            err.println("bench sdk: failed: " + why);
            return 1;
        }
    }

    /** Indexes {@code lake} into an isolated index, serves it on a free port and runs the bench against it. */
    static SdkBench.Figures measure(Path lake, String es, String issuer, String tag, SdkBench.Options o, PrintStream log)
            throws Exception {
        String esUrl = SeriesIndex.esUrl(es);
        ElasticsearchClient client = SeriesIndex.connect(esUrl);
        SeriesIndex.Names names = SeriesIndex.isolated(tag);
        ApiServer server = null;
        try {
            long t = System.nanoTime();
            SeriesIndexer.Result indexed = new SeriesIndexer(client, new DeltaTableReader(), esUrl, names)
                    .index(LakeLayout.at(lake));
            log.printf(Locale.ROOT, "bench sdk: indexed %d series into %s in %.1f s%n", indexed.seriesIndexed(),
                    names.alias(), (System.nanoTime() - t) / 1e9);
            server = new ApiServer(new ServerConfig(lake, "127.0.0.1", 0, esUrl, issuer), new TokenAuthenticator(issuer),
                    new SeriesSearch(client, esUrl, names), new InstanceCatalog(LakeLayout.at(lake), new DeltaTableReader()));
            server.start();
            log.println("bench sdk: API on " + server.baseUrl() + " (lake " + lake + ", tokens from " + issuer + ")");
            return SdkBench.run(new SdkBench.Options(server.baseUrl(), o.issuer(), o.user(), o.password(), o.project(),
                    o.cohort(), o.runs(), o.threads(), o.budgetBytes(), o.cacheDir()), log);
        } finally {
            if (server != null) {
                server.stop();
            }
            SeriesIndex.drop(client, names);
            SeriesIndex.close(client);
        }
    }

    static void report(SdkBench.Figures f, PrintStream out, boolean json) {
        double[] load = loadAverage();
        out.printf(Locale.ROOT, "%nmedlake bench sdk: %d files, %.1f MiB (%d bytes), cohort version %d, %d runs "
                        + "(medians)%n", f.files(), f.bytes() / 1048576.0, f.bytes(), f.version(),
                f.passes().size() / 2);
        out.printf(Locale.ROOT, "  SDK Dataset (verified, cached, in order): %8.1f MB/s%n", f.sdkMbPerSecond());
        out.printf(Locale.ROOT, "  raw JDK HttpClient (same URLs, token):    %8.1f MB/s%n", f.rawMbPerSecond());
        out.printf(Locale.ROOT, "  ratio SDK / raw:                          %8.3f  (target >= 0.8)%n", f.ratio());
        if (load != null) {
            out.printf(Locale.ROOT, "  load average: %.2f %.2f %.2f on %d cores%n", load[0], load[1], load[2],
                    Runtime.getRuntime().availableProcessors());
        }
        if (json) {
            out.println(f.json());
        }
    }

    private static double[] loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])};
        } catch (Exception e) {
            return null;
        }
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }
}
