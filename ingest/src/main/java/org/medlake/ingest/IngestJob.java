package org.medlake.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
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
 *   <li>In one parallel pass ({@link FileIngester}): hashes, parses and packs each file (once per SHA-256),
 *       keeping an instance or quarantine row per entry cached on the executors; only compact keys reach the
 *       driver.</li>
 *   <li>Under the lake's write lock, decides on the driver ({@link BatchOutcomes}) which instances are new, already
 *       held, or conflicts (the same SOP Instance UID with other bytes: quarantined, never overwritten), appends
 *       the new instances and the not yet recorded quarantine rows, rebuilds the aggregates and appends an
 *       {@code ingest_runs} row.</li>
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
    static List<String> entries(Configuration conf, List<String> sources, Path scratch) {
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

    private static String staged(StagedInstance s) {
        return s.file().toUri() + EntryIngester.RECORDED_AS + s.sourceUri();
    }

    private static IngestResult execute(SparkSession spark, IngestRequest request, LakeLayout lake, String runId,
                                        Instant started, List<String> files, Progress progress) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        LongAccumulator done = spark.sparkContext().longAccumulator("medlake.ingest.files");
        // Few, large partitions: each task costs a deserialization and set-up that dwarf one file's work.
        int slices = Math.max(1, Math.min(files.size(), Math.max(jsc.defaultParallelism() * 4,
                files.size() / 5000)));
        JavaRDD<Row> rows = jsc.parallelize(files, slices)
                .mapPartitions(new FileIngester(lake.root(), request, runId, done, LakeSpark.fsSettings(spark),
                        knownObjects(spark, lake)));
        // Serialized: the cache then knows each block's size exactly instead of estimating ~90-column rows by
        // walking them, which cost as much as parsing the files.
        rows.persist(StorageLevel.MEMORY_AND_DISK_SER());
        try {
            // The driver creates missing tables (seconds of Delta start-up) while the executors do the file work.
            CompletableFuture<Void> tables = CompletableFuture.runAsync(() -> LakeSchemas.createIfAbsent(spark, lake));
            List<Row> compact;
            ProgressPoller poller = new ProgressPoller(done::value, files.size(), progress);
            try {
                // One job: the file work runs once, its rows stay cached, and only their keys reach the driver.
                compact = rows.map(FileIngester::compact).collect();
                phase("read, hash, parse, store");
            } finally {
                poller.stop();
            }
            try {
                tables.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
            phase("create tables");
            return write(spark, request, lake, runId, started, rows, compact);
        } finally {
            rows.unpersist(false);
        }
    }

    private static IngestResult write(SparkSession spark, IngestRequest request, LakeLayout lake, String runId,
                                      Instant started, JavaRDD<Row> rows, List<Row> compact) {
        List<BatchOutcomes.Candidate> candidates = new ArrayList<>();
        Map<String, Row> bySource = new HashMap<>();
        List<Row> quarantine = new ArrayList<>();
        Map<String, Long> byReason = new HashMap<>();
        for (Row r : compact) {
            String reason = r.getString(FileIngester.C_REASON);
            if (reason == null) {
                candidates.add(new BatchOutcomes.Candidate(r.getString(FileIngester.C_SOP), r.getString(FileIngester.C_SHA),
                        r.getString(FileIngester.C_SOURCE)));
                bySource.put(r.getString(FileIngester.C_SOURCE), r);
            } else {
                byReason.merge(reason, 1L, Long::sum);
                quarantine.add(quarantineRow(r, reason, r.getString(FileIngester.C_DETAIL)));
            }
        }
        try (LakeWriteLock ignored = LakeWriteLock.acquire(lake)) {
            List<BatchOutcomes.Decision> decisions = BatchOutcomes.decide(candidates, held(spark, lake, candidates));
            Set<String> toAdd = new HashSet<>();
            Set<String> series = new HashSet<>();
            Set<String> studies = new HashSet<>();
            long existing = 0;
            long conflicts = 0;
            for (BatchOutcomes.Decision d : decisions) {
                Row r = bySource.get(d.candidate().sourceUri());
                switch (d.outcome()) {
                    case ADD -> toAdd.add(d.candidate().sourceUri());
                    case DUPLICATE -> existing++;
                    case CONFLICT -> {
                        conflicts++;
                        quarantine.add(quarantineRow(r, "CONFLICT", conflictDetail(d)));
                    }
                }
                if (d.outcome() != BatchOutcomes.Outcome.CONFLICT) {
                    series.add(r.getString(FileIngester.C_SERIES));
                    studies.add(r.getString(FileIngester.C_STUDY));
                }
            }
            phase("classify against the lake");
            long added = toAdd.size();
            long notDicom = byReason.getOrDefault("NOT_DICOM", 0L);
            long quarantined = byReason.values().stream().mapToLong(Long::longValue).sum() - notDicom + conflicts;

            if (added > 0) {
                JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
                Broadcast<Set<String>> keep = jsc.broadcast(toAdd);
                JavaRDD<Row> instanceRows = rows.filter(r -> r.isNullAt(FileIngester.REASON_INDEX)
                        && keep.value().contains(r.getString(FileIngester.SOURCE_INDEX))).map(FileIngester::instanceRow);
                spark.createDataFrame(instanceRows, LakeSchemas.INSTANCES)
                        .write().format("delta").mode("append").save(lake.tableUri(Tables.INSTANCES));
                keep.destroy();
            }
            List<Row> newQuarantine = newQuarantineRows(spark, lake, quarantine);
            if (!newQuarantine.isEmpty()) {
                spark.createDataFrame(newQuarantine, LakeSchemas.QUARANTINE)
                        .write().format("delta").mode("append").save(lake.tableUri(Tables.QUARANTINE));
            }
            phase("append instances, quarantine");
            // Aggregates are rebuilt from the instances table on every run, so a run killed after its append is
            // completed by the next one.
            LakeAggregates.rebuild(spark, lake);
            phase("rebuild series, studies");
            Instant finished = Instant.now();
            long seen = compact.size();
            if (seen != added + existing + quarantined + notDicom) {
                throw new IngestException(ErrorCode.INGEST_INTERNAL, "Ingest accounting is inconsistent: " + seen
                        + " entries seen but " + (added + existing + quarantined + notDicom) + " outcomes. This is a bug.");
            }
            IngestResult result = new IngestResult(runId, request.project(), seen, added, existing, quarantined,
                    notDicom, conflicts, series.size(), studies.size(), started, finished);
            appendRun(spark, lake, request, "SUCCEEDED", result);
            phase("record run");
            return result;
        } catch (IOException e) {
            throw new IngestException(ErrorCode.INGEST_LAKE_UNUSABLE, "Cannot lock the lake " + lake.root()
                    + " for writing: " + e + ". Fix: make the lake folder writable.", e);
        }
    }

    /** SHA-256 to location of the objects the lake owns (in-place registrations excluded). */
    private static Map<String, String> knownObjects(SparkSession spark, LakeLayout lake) {
        Map<String, String> known = new HashMap<>();
        if (!Files.isDirectory(lake.table(Tables.INSTANCES).resolve("_delta_log")) || !hasDataFiles(lake, Tables.INSTANCES)) {
            return known;
        }
        for (Row r : spark.read().format("delta").load(lake.tableUri(Tables.INSTANCES))
                .select(Instances.SHA256, Instances.LOCATION)
                .where(col(Instances.LOCATION).contains(":").unary_$bang())
                .collectAsList()) {
            known.putIfAbsent(r.getString(0), r.getString(1));
        }
        return known;
    }

    /** What the lake holds for the candidates' SOP Instance UIDs. */
    private static Map<String, BatchOutcomes.Held> held(SparkSession spark, LakeLayout lake,
                                                         List<BatchOutcomes.Candidate> candidates) {
        Map<String, BatchOutcomes.Held> out = new HashMap<>();
        if (candidates.isEmpty() || !hasDataFiles(lake, Tables.INSTANCES)) {
            return out; // a new lake: nothing to look up, and no query to plan
        }
        List<Row> keys = candidates.stream().map(c -> c.sopInstanceUid()).distinct().map(RowFactory::create).toList();
        Dataset<Row> batch = spark.createDataFrame(keys, new StructType().add("_sop", DataTypes.StringType, false));
        for (Row r : spark.read().format("delta").load(lake.tableUri(Tables.INSTANCES))
                .select(Instances.SOP_INSTANCE_UID, Instances.SHA256, Instances.SOURCE_URI)
                .join(broadcast(batch), col(Instances.SOP_INSTANCE_UID).equalTo(col("_sop")), "left_semi")
                .collectAsList()) {
            out.put(r.getString(0), new BatchOutcomes.Held(r.getString(1), r.getString(2)));
        }
        return out;
    }

    /** The quarantine rows not yet recorded, by (source URI, sha256, reason): a re-run records nothing twice. */
    private static List<Row> newQuarantineRows(SparkSession spark, LakeLayout lake, List<Row> rows) {
        Map<List<Object>, Row> unique = new java.util.LinkedHashMap<>();
        for (Row r : rows) {
            unique.putIfAbsent(quarantineKey(r.get(0), r.get(2), r.get(3)), r);
        }
        if (!unique.isEmpty() && hasDataFiles(lake, Tables.QUARANTINE)) {
            List<Row> sources = unique.values().stream().map(r -> r.getString(0)).distinct().map(RowFactory::create).toList();
            Dataset<Row> batch = spark.createDataFrame(sources, new StructType().add("_src", DataTypes.StringType, false));
            for (Row r : spark.read().format("delta").load(lake.tableUri(Tables.QUARANTINE))
                    .select(Quarantine.SOURCE_URI, Quarantine.SHA256, Quarantine.REASON)
                    .join(broadcast(batch), col(Quarantine.SOURCE_URI).equalTo(col("_src")), "left_semi")
                    .collectAsList()) {
                unique.remove(quarantineKey(r.get(0), r.get(1), r.get(2)));
            }
        }
        return new ArrayList<>(unique.values());
    }

    private static List<Object> quarantineKey(Object source, Object sha, Object reason) {
        return java.util.Arrays.asList(source, sha, reason);
    }

    /** Whether a table has any data file (a cheap local check that avoids planning a query over an empty table). */
    private static boolean hasDataFiles(LakeLayout lake, String table) {
        try (java.util.stream.Stream<Path> files = Files.list(lake.table(table))) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".parquet"));
        } catch (IOException e) {
            return true; // unknown: let the query find out
        }
    }

    /** A quarantine row (contract order) from a compact row. */
    private static Row quarantineRow(Row c, String reason, String detail) {
        return RowFactory.create(c.getString(FileIngester.C_SOURCE), c.get(FileIngester.C_SIZE),
                c.getString(FileIngester.C_SHA), reason, detail, c.getString(FileIngester.C_SOP),
                c.getString(FileIngester.C_PROJECT), c.getString(FileIngester.C_RUN), c.get(FileIngester.C_AT));
    }

    static String conflictDetail(BatchOutcomes.Decision d) {
        BatchOutcomes.Candidate c = d.candidate();
        return "SOP Instance UID " + c.sopInstanceUid() + " is already in the lake with sha256 " + d.reference().sha256()
                + " (from " + d.reference().sourceUri() + "); this file (" + c.sourceUri()
                + ") has different bytes, sha256 " + c.sha256() + ". The existing instance was kept. Fix: find out "
                + "which copy is correct; if it is this one, remove the existing instance before re-ingesting.";
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

    static void prepareLake(LakeLayout lake) {
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

    /** Polls a counter and forwards changes to the listener. */
    static final class ProgressPoller {
        private final Thread thread;
        private final java.util.function.LongSupplier done;
        private final java.util.function.LongSupplier total;
        private final Progress progress;
        private volatile boolean running = true;
        private volatile long last = -1;

        ProgressPoller(java.util.function.LongSupplier done, long total, Progress progress) {
            this(done, () -> total, progress);
        }

        /** A poller whose total may still grow (a listing in progress). */
        ProgressPoller(java.util.function.LongSupplier done, java.util.function.LongSupplier total, Progress progress) {
            this.done = done;
            this.total = total;
            this.progress = progress;
            thread = new Thread(() -> {
                while (running) {
                    long now = done.getAsLong();
                    if (now != last) {
                        progress.onFiles(now, total.getAsLong());
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
            if (done.getAsLong() != last) {
                progress.onFiles(done.getAsLong(), total.getAsLong());
            }
        }
    }
}
