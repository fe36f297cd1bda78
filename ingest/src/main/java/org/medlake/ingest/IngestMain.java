package org.medlake.ingest;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.medlake.ingest.routing.RoutingRules;

/**
 * {@code ingest SOURCE... --lake DIR [--project P] [--rules FILE] [--site S] [--user U] [--in-place] [--deidentify] [--json]}.
 * Progress goes to stderr, a human summary to stdout; with {@code --json} the last stdout line is one JSON object
 * {@code {"run_id","files_seen","instances_added","instances_existing","quarantined","not_dicom","series","studies"}}
 * (see {@link IngestResult}).
 * Exit codes: 0 ok, 2 bad arguments or input, 1 other failures.
 */
public final class IngestMain {
    static final String USAGE = String.join("\n",
            "usage: ingest SOURCE... --lake DIR [--project P] [--rules FILE] [--site S] [--user U] [--in-place] [--deidentify] [--master URL] [--json]",
            "  SOURCE        a DICOM file or folder (recursive): a plain local path or a file:/hdfs:/s3a: URI (zip, tar,",
            "                tar.gz and .gz files are read without unpacking), or a PACS:",
            "                dicomweb+http://host:port/dicom-web?StudyDate=20240101-20241231",
            "                dimse://AE@host:port?PatientID=P1&calling=MEDLAKE&move-dest=MEDLAKE&scp-port=11113",
            "  --lake DIR    lake root (created if missing)",
            "  --project P   project of the ingested instances (default: demo)",
            "  --rules FILE  routing rules (JSON) assigning instances to projects; --project is the fallback",
            "  --site S      acquiring site recorded on every instance",
            "  --user U      user recorded in ingest_runs (default: the OS user)",
            "  --in-place    register plain files where they are instead of copying them into the lake",
            "  --deidentify  de-identify every instance (PS3.15 Annex E basic profile, consistent pseudonyms and date",
            "                shifts per patient) before storing it; secret: $MEDLAKE_DEID_SECRET or LAKE/.deid-secret",
            "  --master URL  Spark master, e.g. spark://127.0.0.1:7077 (default: $MEDLAKE_SPARK_MASTER or local[*])",
            "  --engine E    local: this machine's cores, no Spark (the default for a local master); spark: a Spark",
            "                job on the master (the default for a cluster master). Both write the same tables.",
            "  --json        print the accounting as one JSON object on the last stdout line");

    private IngestMain() {}

    /** Parsed arguments. */
    record Options(List<String> sources, Path lake, String project, String site, String user, boolean json,
                   boolean inPlace, Path rules, boolean deidentify, Engine engine) {}

    /** Which engine runs the ingest. */
    enum Engine {
        /** {@link LocalIngestJob}: worker threads on this machine, tables through Delta Kernel. */
        LOCAL,
        /** {@link IngestJob}: a Spark job on the configured master. */
        SPARK;

        /** {@code --engine}, else {@code $MEDLAKE_INGEST_ENGINE}, else LOCAL for a local master and SPARK otherwise. */
        static Engine choose(String option) {
            String e = option != null ? option : System.getenv("MEDLAKE_INGEST_ENGINE");
            if (e == null || e.isBlank()) {
                return LakeSpark.master().startsWith("local") ? LOCAL : SPARK;
            }
            return switch (e.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "local" -> LOCAL;
                case "spark" -> SPARK;
                default -> throw new Cli.UsageException("--engine must be 'local' or 'spark', not '" + e + "'");
            };
        }
    }

    public static void main(String[] args) {
        System.exit(runCommand(args, System.out, System.err));
    }

    /** The command as {@code main} runs it: the local engine without any Spark session, or a Spark job. */
    static int runCommand(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = parse(args);
        } catch (Cli.UsageException e) {
            err.println("ingest: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        if (o != null && o.engine() == Engine.LOCAL) {
            quietLogging();
            return execute(o, out, err, request -> LocalIngestJob.run(request, Cli.progressBar(err)));
        }
        return Cli.run("ingest", USAGE, IngestMain::parse, IngestMain::execute, () -> LakeSpark.session("medlake-ingest"), true,
                args, out, err);
    }

    /** Parses and runs with an existing session (for tests and other launchers); returns the exit code. */
    public static int run(SparkSession spark, String[] args, PrintStream out, PrintStream err) {
        return Cli.run("ingest", USAGE, IngestMain::parse, IngestMain::execute, () -> spark, false, args, out, err);
    }

    /**
     * Without Spark, the only loggers are Delta Kernel's and Hadoop's: log4j's simple logger (errors to stderr) serves them without log4j-core's start-up, which loads about 700 classes. Unless configured otherwise.
     */
    private static void quietLogging() {
        if (System.getProperty("log4j2.loggerContextFactory") == null && System.getProperty("log4j.configurationFile") == null) {
            System.setProperty("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
            System.setProperty("org.apache.logging.log4j.simplelog.level", "ERROR");
            System.setProperty("org.apache.logging.log4j.simplelog.logFile", "system.err");
        }
    }

    /** Returns null for --help. */
    static Options parse(String[] args) {
        List<String> sources = new ArrayList<>();
        String lake = null;
        String project = "demo";
        String site = null;
        String user = null;
        boolean json = false;
        boolean inPlace = false;
        boolean deidentify = false;
        String rules = null;
        String engine = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--lake" -> lake = Cli.value(args, i++, a);
                case "--project" -> project = Cli.value(args, i++, a);
                case "--site" -> site = Cli.value(args, i++, a);
                case "--user" -> user = Cli.value(args, i++, a);
                case "--json" -> json = true;
                case "--in-place" -> inPlace = true;
                case "--deidentify" -> deidentify = true;
                case "--master" -> System.setProperty(LakeSpark.MASTER_PROPERTY, Cli.value(args, i++, a));
                case "--rules" -> rules = Cli.value(args, i++, a);
                case "--engine" -> engine = Cli.value(args, i++, a);
                default -> {
                    if (a.startsWith("-")) {
                        throw new Cli.UsageException("unknown option '" + a + "'");
                    }
                    sources.add(a);
                }
            }
        }
        if (lake == null) {
            throw new Cli.UsageException("--lake DIR is required");
        }
        if (sources.isEmpty()) {
            throw new Cli.UsageException("at least one SOURCE file or folder is required");
        }
        return new Options(sources, Path.of(lake), project, site, user, json, inPlace, rules == null ? null : Path.of(rules),
                deidentify, Engine.choose(engine));
    }

    static int execute(SparkSession spark, Options o, PrintStream out, PrintStream err) {
        return execute(o, out, err, request -> IngestJob.run(spark, request, Cli.progressBar(err)));
    }

    private static int execute(Options o, PrintStream out, PrintStream err,
                               java.util.function.Function<IngestRequest, IngestResult> engine) {
        try {
            IngestRequest request = new IngestRequest(o.sources(), o.lake(), o.project(), o.site(), o.user())
                    .withInPlace(o.inPlace());
            if (o.deidentify()) {
                request = request.withDeidentification(IngestDeidentifier.secretFor(o.lake().toAbsolutePath()));
            }
            if (o.rules() != null) {
                request = request.withRules(RoutingRules.read(o.rules(), o.project()));
            }
            IngestResult result = engine.apply(request);
            out.println(result.summary());
            if (o.json()) {
                out.println(result.toJson());
            }
            out.flush();
            return 0;
        } catch (IngestException e) {
            err.println("ingest: " + e.getMessage());
            return e.code().exitCode();
        }
    }
}
