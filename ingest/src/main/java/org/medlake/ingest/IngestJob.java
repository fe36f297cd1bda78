package org.medlake.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import io.delta.tables.DeltaTable;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import java.nio.file.Path;
import org.medlake.ingest.pacs.PacsSources;
import org.medlake.ingest.pacs.StagedInstance;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.Tables;
import org.medlake.lake.Tables.Instances;
import org.medlake.lake.Tables.Quarantine;

/**
 * Loads DICOM files into the lake.
 *
 * <ol>
 *   <li>Lists the sources recursively on the driver through Hadoop's FileSystem API.</li>
 *   <li>In parallel ({@link FileIngester}): hashes, parses and stores each file content-addressed, emitting an
 *       instance or quarantine row.</li>
 *   <li>MERGEs instances on {@code sop_instance_uid} (insert only: a re-ingest adds nothing; the same UID with
 *       other bytes becomes a CONFLICT quarantine row and never overwrites), MERGEs quarantine rows on
 *       {@code (source_uri, sha256, reason)}, and appends an {@code ingest_runs} row.</li>
 * </ol>
 * Tables are created with the contract schemas when absent.
 */
public final class IngestJob {
    /** Receives progress while files are processed (called from a polling thread, at most twice a second). */
    @FunctionalInterface
    public interface Progress {
        void onFiles(long done, long total);

        Progress NONE = (done, total) -> {};
    }

    private static final String OUTCOME = "_outcome";
    /** Set MEDLAKE_TRACE=1 to print how long each phase of a run takes (stderr). */
    private static final boolean TRACE = System.getenv("MEDLAKE_TRACE") != null;
    private static long mark = System.nanoTime();

    private static void phase(String name) {
        if (TRACE) {
            long now = System.nanoTime();
            System.err.printf(java.util.Locale.ROOT, "[trace] %-28s %8.2f s%n", name, (now - mark) / 1e9);
            mark = now;
        }
    }

    private IngestJob() {}

    /** Runs an ingest without progress reporting. */
    public static IngestResult run(SparkSession spark, IngestRequest request) {
        return run(spark, request, Progress.NONE);
    }

    /** Runs an ingest; {@code progress} receives file counts while the files are processed. */
    public static IngestResult run(SparkSession spark, IngestRequest request, Progress progress) {
        return run(spark, request, progress, List.of());
    }

    /**
     * Ingests files that a gateway has already received, recording each under its {@link StagedInstance#sourceUri()}.
     * {@code request.sources()} describes them for {@code ingest_runs}. The files are left where they are.
     */
    public static IngestResult runStaged(SparkSession spark, IngestRequest request, List<StagedInstance> staged) {
        return run(spark, request, Progress.NONE, staged);
    }

    private static IngestResult run(SparkSession spark, IngestRequest request, Progress progress,
                                    List<StagedInstance> received) {
        String runId = UUID.randomUUID().toString();
        Instant started = Instant.now();
        LakeLayout lake = LakeLayout.at(request.lakeDir());
        prepareLake(lake);
        final List<String> files = new ArrayList<>();
        try (TempSpace scratch = TempSpace.claim(lake, runId)) {
            if (received.isEmpty()) {
                phase("start");
                files.addAll(entries(spark.sparkContext().hadoopConfiguration(), request.sources(), scratch.dir()));
                phase("list sources");
            } else {
                received.forEach(s -> files.add(staged(s)));
            }
            LakeSchemas.createIfAbsent(spark, lake);
            phase("create tables");
            return execute(spark, request, lake, runId, started, files, progress);
        } catch (IOException e) {
            recordFailure(spark, lake, request, runId, started);
            throw new IngestException(ErrorCode.INGEST_LAKE_UNUSABLE, "Cannot use the lake's scratch folder "
                    + TempSpace.root(lake) + ": " + e + ". Fix: make the lake folder writable.", e);
        } catch (IngestException e) {
            if (!files.isEmpty()) {
                recordFailure(spark, lake, request, runId, started);
            }
            throw e;
        } catch (RuntimeException e) {
            recordFailure(spark, lake, request, runId, started);
            throw new IngestException(ErrorCode.INGEST_EXTERNAL, "Ingest run " + runId + " failed: " + e
                    + ". Nothing was overwritten; rows already merged stay and a re-run completes the rest. "
                    + "Fix the cause and re-run the same command.", e);
        }
    }

    /**
     * The work list: file URIs from the Hadoop file system sources, and for PACS sources ({@code dicomweb+http:},
     * {@code dimse:}) the instances staged into {@code scratch} first, as {@code fileUri TAB sourceUri} entries.
     */
    private static List<String> entries(Configuration conf, List<String> sources, Path scratch) {
        List<String> out = new ArrayList<>();
        List<String> plain = new ArrayList<>();
        int n = 0;
        for (String source : sources) {
            var pacs = PacsSources.parse(source);
            if (pacs.isPresent()) {
                pacs.get().stage(scratch.resolve("pacs-" + n++)).forEach(s -> out.add(staged(s)));
            } else {
                plain.add(source);
            }
        }
        if (!plain.isEmpty()) {
            out.addAll(listFiles(conf, plain));
        }
        return out;
    }

    /** The session's {@code spark.hadoop.fs.*} settings (e.g. an S3 endpoint), which executors need too. */
    private static Map<String, String> fsSettings(SparkSession spark) {
        Map<String, String> out = new java.util.HashMap<>();
        for (scala.Tuple2<String, String> kv : spark.sparkContext().getConf().getAllWithPrefix("spark.hadoop.fs.")) {
            out.put("fs." + kv._1(), kv._2());
        }
        return out;
    }

    private static String staged(StagedInstance s) {
        return s.file().toUri() + FileIngester.RECORDED_AS + s.sourceUri();
    }

    private static IngestResult execute(SparkSession spark, IngestRequest request, LakeLayout lake, String runId,
                                        Instant started, List<String> files, Progress progress) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        LongAccumulator done = spark.sparkContext().longAccumulator("medlake.ingest.files");
        // Few, large partitions: each task costs a deserialization and set-up that dwarf one file's work.
        int slices = Math.max(1, Math.min(files.size(), Math.max(jsc.defaultParallelism() * 4,
                files.size() / 5000)));
        JavaRDD<Row> rows = jsc.parallelize(files, slices)
                .mapPartitions(new FileIngester(lake.root(), request, runId, done, fsSettings(spark)));
        // The rows are cached as Java objects (no columnar encoding of ~90 columns): the file work runs once.
        rows.persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> outcomes = spark.createDataFrame(rows, FileIngester.OUTCOME);
        try {
            ProgressPoller poller = new ProgressPoller(done, files.size(), progress);
            try {
                rows.count(); // runs the file work once; everything below reads the persisted rows
                phase("read, hash, parse, store");
            } finally {
                poller.stop();
            }
            return write(spark, request, lake, runId, started, files, outcomes);
        } finally {
            rows.unpersist();
        }
    }

    private static IngestResult write(SparkSession spark, IngestRequest request, LakeLayout lake, String runId,
                                      Instant started, List<String> files, Dataset<Row> outcomes) {
        String[] instanceColumns = LakeSchemas.INSTANCES.fieldNames();
        Dataset<Row> valid = outcomes.filter(col(FileIngester.REASON).isNull());
        Dataset<Row> rejected = outcomes.filter(col(FileIngester.REASON).isNotNull());

        DeltaTable instances = DeltaTable.forPath(spark, lake.tableUri(Tables.INSTANCES));
        Dataset<Row> lakeRows = instances.toDF().select(
                col(Instances.SOP_INSTANCE_UID).as("_e_sop"), col(Instances.SHA256).as("_e_sha"),
                col(Instances.SOURCE_URI).as("_e_src"));
        WindowSpec bySop = Window.partitionBy(Instances.SOP_INSTANCE_UID).orderBy(Instances.SOURCE_URI);
        Dataset<Row> classified = valid
                .withColumn("_rank", row_number().over(bySop))
                .withColumn("_first_sha", first(Instances.SHA256).over(bySop))
                .withColumn("_first_src", first(Instances.SOURCE_URI).over(bySop))
                .join(lakeRows, col(Instances.SOP_INSTANCE_UID).equalTo(col("_e_sop")), "left")
                .withColumn("_ref_sha", coalesce(col("_e_sha"), col("_first_sha")))
                .withColumn("_ref_src", coalesce(col("_e_src"), col("_first_src")))
                .withColumn(OUTCOME,
                        when(col("_e_sha").isNull().and(col("_rank").equalTo(1)), "ADD")
                                .when(col(Instances.SHA256).equalTo(col("_ref_sha")), "DUPLICATE")
                                .otherwise("CONFLICT"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Map<String, Long> byOutcome = counts(classified, OUTCOME);
            phase("classify against the lake");
            Map<String, Long> byReason = counts(rejected, FileIngester.REASON);
            long added = byOutcome.getOrDefault("ADD", 0L);
            long existing = byOutcome.getOrDefault("DUPLICATE", 0L);
            long conflicts = byOutcome.getOrDefault("CONFLICT", 0L);
            long notDicom = byReason.getOrDefault("NOT_DICOM", 0L);
            long quarantined = byReason.values().stream().mapToLong(Long::longValue).sum() - notDicom + conflicts;
            Row distinct = classified.filter(col(OUTCOME).notEqual("CONFLICT"))
                    .agg(countDistinct(col(Instances.SERIES_INSTANCE_UID)), countDistinct(col(Instances.STUDY_INSTANCE_UID)))
                    .first();

            if (added > 0) {
                Dataset<Row> toAdd = classified.filter(col(OUTCOME).equalTo("ADD"))
                        .select(columns(instanceColumns));
                instances.as("t").merge(toAdd.as("s"), "t." + Instances.SOP_INSTANCE_UID + " = s." + Instances.SOP_INSTANCE_UID)
                        .whenNotMatched().insertAll()
                        .execute();
            }

            Column conflictDetail = concat(lit("SOP Instance UID "), col(Instances.SOP_INSTANCE_UID),
                    lit(" is already in the lake with sha256 "), col("_ref_sha"), lit(" (from "), col("_ref_src"),
                    lit("); this file ("), col(Instances.SOURCE_URI), lit(") has different bytes, sha256 "),
                    col(Instances.SHA256), lit(". The existing instance was kept. Fix: find out which copy is "
                            + "correct; if it is this one, remove the existing instance before re-ingesting."));
            Dataset<Row> conflictRows = classified.filter(col(OUTCOME).equalTo("CONFLICT")).select(
                    col(Instances.SOURCE_URI).as(Quarantine.SOURCE_URI),
                    col(Instances.SIZE_BYTES).as(Quarantine.SIZE_BYTES),
                    col(Instances.SHA256).as(Quarantine.SHA256),
                    lit("CONFLICT").as(Quarantine.REASON),
                    conflictDetail.as(Quarantine.DETAIL),
                    col(Instances.SOP_INSTANCE_UID).as(Quarantine.SOP_INSTANCE_UID),
                    col(Instances.PROJECT).as(Quarantine.PROJECT),
                    col(Instances.RUN_ID).as(Quarantine.RUN_ID),
                    col(Instances.INGESTED_AT).as(Quarantine.QUARANTINED_AT));
            Dataset<Row> rejectedRows = rejected.select(
                    col(Instances.SOURCE_URI).as(Quarantine.SOURCE_URI),
                    col(Instances.SIZE_BYTES).as(Quarantine.SIZE_BYTES),
                    col(Instances.SHA256).as(Quarantine.SHA256),
                    col(FileIngester.REASON).as(Quarantine.REASON),
                    col(FileIngester.DETAIL).as(Quarantine.DETAIL),
                    col(Instances.SOP_INSTANCE_UID).as(Quarantine.SOP_INSTANCE_UID),
                    col(Instances.PROJECT).as(Quarantine.PROJECT),
                    col(Instances.RUN_ID).as(Quarantine.RUN_ID),
                    col(Instances.INGESTED_AT).as(Quarantine.QUARANTINED_AT));
            if (quarantined + notDicom > 0) {
                Dataset<Row> q = rejectedRows.unionByName(conflictRows)
                        .dropDuplicates(new String[] {Quarantine.SOURCE_URI, Quarantine.SHA256, Quarantine.REASON});
                DeltaTable.forPath(spark, lake.tableUri(Tables.QUARANTINE)).as("t")
                        .merge(q.as("s"), "t." + Quarantine.SOURCE_URI + " = s." + Quarantine.SOURCE_URI
                                + " AND t." + Quarantine.SHA256 + " <=> s." + Quarantine.SHA256
                                + " AND t." + Quarantine.REASON + " = s." + Quarantine.REASON)
                        .whenNotMatched().insertAll()
                        .execute();
            }

            phase("merge instances, quarantine");
            // Aggregates are rebuilt from the instances table on every run, so a run killed after its MERGE is
            // completed by the next one.
            LakeAggregates.rebuild(spark, lake);
            phase("rebuild series, studies");
            Instant finished = Instant.now();
            long seen = outcomes.count();
            if (seen != added + existing + quarantined + notDicom) {
                throw new IngestException(ErrorCode.INGEST_INTERNAL, "Ingest accounting is inconsistent: " + seen
                        + " entries seen but " + (added + existing + quarantined + notDicom) + " outcomes. This is a bug.");
            }
            IngestResult result = new IngestResult(runId, request.project(), seen, added, existing, quarantined,
                    notDicom, conflicts, distinct.getLong(0), distinct.getLong(1), started, finished);
            appendRun(spark, lake, request, "SUCCEEDED", result);
            phase("record run");
            return result;
        } finally {
            classified.unpersist();
        }
    }

    private static Column[] columns(String[] names) {
        Column[] cols = new Column[names.length];
        for (int i = 0; i < names.length; i++) {
            cols[i] = col(names[i]);
        }
        return cols;
    }

    private static Map<String, Long> counts(Dataset<Row> ds, String column) {
        return ds.groupBy(column).count().collectAsList().stream()
                .collect(Collectors.toMap(r -> String.valueOf(r.get(0)), r -> r.getLong(1)));
    }

    private static void appendRun(SparkSession spark, LakeLayout lake, IngestRequest request, String status,
                                  IngestResult r) {
        Row row = RowFactory.create(r.runId(), request.sources().toArray(new String[0]), request.project(),
                request.site(), request.user(), Timestamp.from(r.startedAt()), Timestamp.from(r.finishedAt()), status,
                r.filesSeen(), r.instancesAdded(), r.instancesExisting(), r.quarantined(), r.notDicom(), r.conflicts(),
                r.series(), r.studies());
        spark.createDataFrame(List.of(row), LakeSchemas.INGEST_RUNS)
                .write().format("delta").mode("append").save(lake.tableUri(Tables.INGEST_RUNS));
    }

    private static void recordFailure(SparkSession spark, LakeLayout lake, IngestRequest request, String runId,
                                      Instant started) {
        try {
            appendRun(spark, lake, request, "FAILED",
                    new IngestResult(runId, request.project(), 0, 0, 0, 0, 0, 0, 0, 0, started, Instant.now()));
        } catch (RuntimeException ignored) {
            // best effort: the original failure is what the caller needs to see
        }
    }

    private static void prepareLake(LakeLayout lake) {
        try {
            Files.createDirectories(lake.root().resolve("tables"));
            Files.createDirectories(lake.root().resolve("objects").resolve("sha256"));
        } catch (IOException e) {
            throw new IngestException(ErrorCode.INGEST_LAKE_UNUSABLE, "Cannot create the lake folders under "
                    + lake.root() + ": " + e + ". Fix: pass a writable --lake folder.", e);
        }
    }

    static List<String> listFiles(Configuration conf, List<String> sources) {
        return org.medlake.ingest.source.SourceListing.listFiles(conf, sources);
    }

    static URI toUri(String source) {
        return org.medlake.ingest.source.SourceListing.toUri(source);
    }

    /** Polls the accumulator and forwards changes to the listener. */
    private static final class ProgressPoller {
        private final Thread thread;
        private final LongAccumulator done;
        private final long total;
        private final Progress progress;
        private volatile boolean running = true;
        private volatile long last = -1;

        ProgressPoller(LongAccumulator done, long total, Progress progress) {
            this.done = done;
            this.total = total;
            this.progress = progress;
            thread = new Thread(() -> {
                while (running) {
                    long now = done.value();
                    if (now != last) {
                        progress.onFiles(now, total);
                        last = now;
                    }
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "medlake-ingest-progress");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            running = false;
            thread.interrupt();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (done.value() != last) {
                progress.onFiles(done.value(), total);
            }
        }
    }
}
