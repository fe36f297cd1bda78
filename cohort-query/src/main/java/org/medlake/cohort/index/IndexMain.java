package org.medlake.cohort.index;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.medlake.cohort.CohortException;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.lake.LakeLayout;

/**
 * Command line: {@code index --lake DIR [--rebuild] [--es URL] [--json]}.
 *
 * <p>Brings the series index ({@value SeriesIndex#ALIAS}) in Elasticsearch ({@code --es}, default env
 * {@code MEDLAKE_ES_URL} or {@value SeriesIndex#DEFAULT_ES_URL}) up to date with the lake: incrementally by default,
 * or with {@code --rebuild} into a new index that replaces the old one atomically (see {@link SeriesIndexer}).
 * Prints a human summary, or with {@code --json} a last line
 * {@code {"mode":"INCREMENTAL","index":"...","series_indexed":N,"series_deleted":N,"table_version":V}}.
 * Exit codes: 0 ok, 2 usage or user error, 1 other failure.
 */
public final class IndexMain {
    private IndexMain() {}

    static final String USAGE = "usage: index --lake DIR [--rebuild] [--es URL] [--json]";

    public static void main(String[] args) {
        // Delta Kernel's unitycatalog-client logs through the Log4j API, whose provider we exclude (we log with
        // SLF4J). Set here, in the application, not in a library resource: a JVM that also runs Spark needs Log4j core.
        System.setProperty("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
        System.setProperty("log4j2.simplelogLevel", "WARN");
        System.exit(run(args));
    }

    /** Runs the command and returns the exit code (no System.exit). */
    public static int run(String[] args) {
        String lake = null;
        String es = null;
        boolean json = false;
        boolean rebuild = false;
        int i = 0;
        if (i < args.length && args[i].equals("index")) {
            i++;
        }
        for (; i < args.length; i++) {
            switch (args[i]) {
                case "--lake" -> lake = i + 1 < args.length ? args[++i] : null;
                case "--es" -> es = i + 1 < args.length ? args[++i] : null;
                case "--json" -> json = true;
                case "--rebuild" -> rebuild = true;
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return 0;
                }
                default -> {
                    System.err.println("error: unknown argument '" + args[i] + "'. " + USAGE);
                    return 2;
                }
            }
        }
        if (lake == null) {
            System.err.println("error: --lake DIR is required. " + USAGE);
            return 2;
        }
        Path lakeDir = Path.of(lake);
        if (!Files.isDirectory(lakeDir)) {
            System.err.println("error: lake folder " + lakeDir.toAbsolutePath() + " does not exist; pass the folder you "
                    + "ingested into with --lake.");
            return 2;
        }
        String url = SeriesIndex.esUrl(es);
        ElasticsearchClient client = SeriesIndex.connect(url);
        try {
            SeriesIndexer indexer = new SeriesIndexer(client, new DeltaTableReader(), url);
            SeriesIndexer.Result r = rebuild ? indexer.rebuild(LakeLayout.at(lakeDir)) : indexer.index(LakeLayout.at(lakeDir));
            if (json) {
                System.out.println("{\"mode\":\"" + r.mode() + "\",\"index\":\"" + r.index() + "\",\"series_indexed\":"
                        + r.seriesIndexed() + ",\"series_deleted\":" + r.seriesDeleted() + ",\"table_version\":"
                        + r.tableVersion() + "}");
            } else {
                System.out.println(r.mode() + ": wrote " + r.seriesIndexed() + " and deleted " + r.seriesDeleted()
                        + " series documents from instances version " + r.tableVersion() + "; alias " + SeriesIndex.ALIAS
                        + " -> " + r.index() + " at " + url);
            }
            return 0;
        } catch (CohortException e) {
            System.err.println("error [" + e.code() + "]: " + e.getMessage());
            return e.code() == CohortException.ErrorCode.USER_ERROR ? 2 : 1;
        } finally {
            SeriesIndex.close(client);
        }
    }
}
