package org.medlake.ingest;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.Tables;
import org.medlake.lake.Tables.Instances;

/**
 * The ingest job on one machine without Spark: the same steps, decisions and tables as {@link IngestJob}, run by a
 * thread per core, with the tables written through Delta Kernel. A Spark session costs seconds to start, more than
 * the whole work of a typical folder; clusters ({@code --master spark://...}) use {@link IngestJob}.
 *
 * <ol>
 *   <li>Lists the sources (local folders while the workers already start on the first files), stages PACS
 *       sources.</li>
 *   <li>Worker threads run {@link EntryIngester} over the work items (hash, parse, pack, route) and write their
 *       accepted rows to Parquet files of an {@code instances} transaction as they go.</li>
 *   <li>Decides ({@link BatchOutcomes}) against what {@code instances} holds; commits the written files if the
 *       decisions add exactly those rows (else writes the added rows again); then records the quarantine rows not
 *       yet recorded and replaces {@code series} and {@code studies} with the aggregation of the whole
 *       {@code instances} table, and last appends the {@code ingest_runs} row. The whole run holds the lake's write
 *       lock. A run killed at any point leaves uncommitted files only, or is completed by the next one.</li>
 * </ol>
 */
final class LocalIngestJob {
    /** Set MEDLAKE_TRACE=1 to print how long each phase of a run takes (stderr). */
    private static final boolean TRACE = System.getenv("MEDLAKE_TRACE") != null;
    private static final int I_SOP = InstanceColumns.index(Instances.SOP_INSTANCE_UID);
    private static final int I_SHA = InstanceColumns.index(Instances.SHA256);
    private static final int I_SOURCE = InstanceColumns.index(Instances.SOURCE_URI);
    private static final int I_SERIES = InstanceColumns.index(Instances.SERIES_INSTANCE_UID);
    private static final int I_STUDY = InstanceColumns.index(Instances.STUDY_INSTANCE_UID);
    /**
     * The instance columns the run still needs once a row is in a data file: decisions, accounting, quarantine
     * rows and the aggregates. The others (the header JSON above all) are dropped from the row, so the run holds
     * little per instance while it reads; a rewrite reads whole rows back from the files.
     */
    private static final boolean[] KEPT_AFTER_WRITE = new boolean[InstanceColumns.width()];

    static {
        List<String> kept = new ArrayList<>(SeriesStudyAggregation.INPUT);
        kept.addAll(List.of(Instances.SOP_INSTANCE_UID, Instances.SHA256, Instances.SOURCE_URI,
                Instances.SERIES_INSTANCE_UID, Instances.STUDY_INSTANCE_UID, Instances.SIZE_BYTES, Instances.PROJECT,
                Instances.RUN_ID, Instances.INGESTED_AT));
        for (String c : kept) {
            KEPT_AFTER_WRITE[InstanceColumns.index(c)] = true;
        }
    }

    private final IngestRequest request;
    private final IngestJob.Progress progress;
    private final int threads;
    private final Engine engine;
    /**
     * The run's background tasks (Kernel start-up, the lake's state, aggregates, the small tables). Not the common
     * pool: on a 2-core machine that has a single thread, which would run them one after another.
     */
    private static final java.util.concurrent.Executor BACKGROUND = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "medlake-ingest-background");
        t.setDaemon(true);
        return t;
    });
    private long mark = System.nanoTime();

    private LocalIngestJob(IngestRequest request, IngestJob.Progress progress, int threads) {
        this.request = request;
        this.progress = progress;
        this.threads = threads;
        // The lake is a local folder: Kernel reaches it through java.nio, and Hadoop is loaded only for sources
        // that need it.
        this.engine = DefaultEngine.create(new LocalFileIO(hadoopSettings()));
    }

    /** Runs an ingest on this machine with one worker thread per available core. */
    static IngestResult run(IngestRequest request, IngestJob.Progress progress) {
        return new LocalIngestJob(request, progress, Runtime.getRuntime().availableProcessors()).execute();
    }

    /**
     * Hadoop settings: every {@code spark.hadoop.*} system property without its {@code spark.hadoop.} prefix, as
     * Spark passes them on, so that e.g. an S3 endpoint configured for Spark works the same here.
     */
    static Configuration hadoopConf() {
        Configuration conf = new Configuration();
        hadoopSettings().forEach(conf::set);
        return conf;
    }

    private static Map<String, String> hadoopSettings() {
        Map<String, String> out = new HashMap<>();
        System.getProperties().forEach((k, v) -> {
            String key = k.toString();
            if (key.startsWith("spark.hadoop.")) {
                out.put(key.substring("spark.hadoop.".length()), v.toString());
            }
        });
        return out;
    }

    private void phase(String name) {
        if (TRACE) {
            long now = System.nanoTime();
            System.err.printf(java.util.Locale.ROOT, "[trace] %-28s %8.2f s%n", name, (now - mark) / 1e9);
            mark = now;
        }
    }

    private IngestResult execute() {
        String runId = UUID.randomUUID().toString();
        Instant started = Instant.now();
        LakeLayout lake = LakeLayout.at(request.lakeDir());
        phase("start-up");
        IngestJob.prepareLake(lake);
        boolean listed = false;
        // The whole run holds the lake's write lock: the instances are written while the files are processed, on a
        // transaction built at the start, so no other run may commit in between.
        try (LakeWriteLock ignored = LakeWriteLock.acquire(lake); TempSpace scratch = TempSpace.claim(lake, runId)) {
            phase("lock and scratch");
            Path instancesTable = lake.table(Tables.INSTANCES);
            // Delta Kernel's start-up (the table's state, the transaction, the lake's objects) on another core while
            // the sources are listed.
            java.util.concurrent.CompletableFuture<KernelTables.PendingAppend> begun =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return KernelTables.begin(engine, instancesTable, KernelTables.schema(InstanceColumns.ALL),
                                    INSTANCES_PROPERTIES);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }, BACKGROUND);
            // What the lake holds, read once: the run holds the write lock, so it cannot change before the commit.
            java.util.concurrent.CompletableFuture<HeldInstances> lakeHolds =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return HeldInstances.read(engine, instancesTable);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }, BACKGROUND);
            WorkList work;
            boolean allLocal = org.medlake.ingest.source.SourceListing.allLocal(request.sources());
            // Local files are read without Hadoop; other sources get one configuration for the run (each new one
            // parses Hadoop's XML defaults again).
            Configuration conf = allLocal ? null : hadoopConf();
            if (allLocal) {
                // Local folders: the workers start on the first files while the rest are still being listed.
                WorkList streamed = new WorkList();
                Thread lister = new Thread(() -> {
                    try {
                        org.medlake.ingest.source.SourceListing.streamLocal(request.sources(), streamed::addAll);
                        streamed.close(null);
                    } catch (RuntimeException e) {
                        streamed.close(e);
                    }
                }, "medlake-ingest-list");
                lister.setDaemon(true);
                lister.start();
                work = streamed;
            } else {
                work = WorkList.of(IngestJob.entries(conf, request.sources(), scratch.dir()));
                phase("list sources");
            }
            HeldInstances holds = join(lakeHolds);
            Processed processed = process(lake, runId, scratch.dir(), conf, work, begun, holds.objects());
            KernelTables.PendingAppend pending = join(begun);
            listed = true; // a failure from now on is recorded as a failed run
            phase("read, hash, parse, store");
            return write(lake, runId, started, processed, pending, holds);
        } catch (IOException e) {
            recordFailure(lake, runId, started);
            throw new IngestException(ErrorCode.INGEST_LAKE_UNUSABLE, "Cannot write to the lake " + lake.root() + ": "
                    + e + ". Fix: make the lake folder writable, then re-run the same command.", e);
        } catch (IngestException e) {
            if (listed) {
                recordFailure(lake, runId, started);
            }
            throw e;
        } catch (RuntimeException e) {
            recordFailure(lake, runId, started);
            throw new IngestException(ErrorCode.INGEST_EXTERNAL, "Ingest run " + runId + " failed: " + e
                    + ". Nothing was overwritten; rows already merged stay and a re-run completes the rest. "
                    + "Fix the cause and re-run the same command.", e);
        }
    }

    /** The value of a future, with its failure unwrapped. */
    private static <T> T join(java.util.concurrent.CompletableFuture<T> f) throws IOException {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.io.UncheckedIOException io) throw io.getCause();
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw e;
        }
    }

    private static final Map<String, String> INSTANCES_PROPERTIES =
            Map.of("delta.dataSkippingNumIndexedCols", String.valueOf(LakeSchemas.STATS_COLUMNS));
    /** Accepted rows per batch handed to a worker's Parquet writer. */
    private static final int CHUNK = 2048;

    /**
     * The outcomes in work-item order, and the instance data files the workers wrote speculatively: every accepted
     * entry's row, in the order of {@code accepted}.
     */
    private record Processed(List<EntryIngester.Outcome> outcomes, List<io.delta.kernel.utils.DataFileStatus> files,
                             long accepted) {}

    /**
     * Runs the per-entry work on the worker threads. Each worker is also the Parquet writer of its accepted rows:
     * they go to data files of {@code pending} as they come, so encoding them overlaps reading the files. The
     * files are committed only if the decisions later add exactly these rows.
     */
    private Processed process(LakeLayout lake, String runId, Path tmpDir, Configuration conf, WorkList items,
                              java.util.concurrent.CompletableFuture<KernelTables.PendingAppend> begun,
                              Map<String, String> known) throws IOException {
        Map<Integer, List<EntryIngester.Outcome>> byItem = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicLong done = new AtomicLong();
        AtomicLong accepted = new AtomicLong();
        EntryIngester.Settings settings = EntryIngester.Settings.of(request);
        java.util.concurrent.ConcurrentHashMap<String, String> stored = new java.util.concurrent.ConcurrentHashMap<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<io.delta.kernel.utils.DataFileStatus> files = java.util.Collections.synchronizedList(new ArrayList<>());
        int workers = Math.max(1, threads);
        AtomicInteger stop = new AtomicInteger(Integer.MAX_VALUE);
        Thread[] pool = new Thread[workers];
        for (int t = 0; t < workers; t++) {
            pool[t] = new Thread(() -> {
                try (PackObjects objects = new PackObjects(lake, runId + "-" + Thread.currentThread().getName(), known,
                        stored)) {
                    EntryIngester ingester = new EntryIngester(settings, runId, objects, tmpDir, conf);
                    java.util.Iterator<List<Object[]>> chunks = new java.util.Iterator<>() {
                        private List<Object[]> chunk = new ArrayList<>();
                        private List<Object[]> written = List.of();
                        private final Map<String, String> shared = new HashMap<>();
                        private boolean end;

                        @Override
                        public boolean hasNext() {
                            // The writer asks for more only once it has encoded the chunk it was given.
                            for (Object[] row : written) {
                                for (int c = 0; c < row.length; c++) {
                                    if (!KEPT_AFTER_WRITE[c]) {
                                        row[c] = null;
                                    } else if (row[c] instanceof String v && c != I_SOP && c != I_SHA && c != I_SOURCE) {
                                        // Series and study attributes repeat across instances: hold one copy.
                                        row[c] = shared.computeIfAbsent(v, x -> x);
                                    }
                                }
                            }
                            written = List.of();
                            while (!end && chunk.size() < CHUNK) {
                                int i = next.getAndIncrement();
                                String item;
                                try {
                                    item = i < stop.get() ? items.get(i) : null;
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    throw new IllegalStateException("interrupted", e);
                                }
                                if (item == null) {
                                    end = true;
                                    break;
                                }
                                List<EntryIngester.Outcome> out = new ArrayList<>(1);
                                ingester.ingestItem(item, out::add);
                                byItem.put(i, out);
                                for (EntryIngester.Outcome o : out) {
                                    if (o.accepted()) {
                                        chunk.add(o.values());
                                    }
                                }
                                done.incrementAndGet();
                            }
                            return !chunk.isEmpty();
                        }

                        @Override
                        public List<Object[]> next() {
                            List<Object[]> out = chunk;
                            written = out;
                            chunk = new ArrayList<>();
                            accepted.addAndGet(out.size());
                            return out;
                        }
                    };
                    // The first chunk is read before waiting for Delta Kernel's start-up, which runs meanwhile.
                    chunks.hasNext();
                    files.addAll(join(begun).write(chunks));
                    // The pack is closed (flushed) by the try before the instance rows are committed.
                } catch (Throwable e) {
                    failures.add(e);
                    stop.set(0); // stop the other workers early
                }
            }, "medlake-ingest-" + t);
            pool[t].start();
        }
        // The total grows while the sources are listed; the bar shows what is known.
        IngestJob.ProgressPoller poller = new IngestJob.ProgressPoller(done::get, items::size, progress);
        try {
            for (Thread t : pool) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IngestException(ErrorCode.INGEST_EXTERNAL, "Ingest was interrupted; re-run the same command.", e);
        } finally {
            poller.stop();
        }
        if (!failures.isEmpty()) {
            KernelTables.PendingAppend.discard(files);
            join(begun); // its failure, if it failed, is the one to report
            Throwable f = failures.get(0);
            if (f instanceof IOException io) throw io;
            if (f instanceof RuntimeException re) throw re;
            throw new IllegalStateException(f);
        }
        List<EntryIngester.Outcome> all = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            all.addAll(byItem.get(i));
        }
        return new Processed(all, new ArrayList<>(files), accepted.get());
    }

    private IngestResult write(LakeLayout lake, String runId, Instant started, Processed processed,
                               KernelTables.PendingAppend pending, HeldInstances holds) throws IOException {
        List<EntryIngester.Outcome> outcomes = processed.outcomes();
        List<Object[]> existing = holds.aggregationInput();
        List<EntryIngester.Outcome> accepted = new ArrayList<>();
        List<BatchOutcomes.Candidate> candidates = new ArrayList<>();
        List<Object[]> quarantine = new ArrayList<>();
        Map<String, Long> byReason = new HashMap<>();
        for (EntryIngester.Outcome o : outcomes) {
            Object[] v = o.values();
            if (o.accepted()) {
                accepted.add(o);
                candidates.add(new BatchOutcomes.Candidate((String) v[I_SOP], (String) v[I_SHA], (String) v[I_SOURCE]));
            } else {
                byReason.merge(o.reason(), 1L, Long::sum);
                quarantine.add(quarantineRow(o, o.reason(), o.detail()));
            }
        }
        // The aggregates cover the whole instances table: what it held before this run plus what is added. Usually
        // every accepted instance is added, so they are computed for that case while the run decides and commits.
        java.util.concurrent.CompletableFuture<SeriesStudyAggregation.Result> likelyAggregates =
                aggregateAsync(existing, accepted.stream().map(EntryIngester.Outcome::values).toList());
        List<BatchOutcomes.Decision> decisions = BatchOutcomes.decide(candidates, holds.bySop());
        List<Object[]> toAdd = new ArrayList<>();
        Set<String> series = new HashSet<>();
        Set<String> studies = new HashSet<>();
        long duplicates = 0;
        long conflicts = 0;
        for (int i = 0; i < decisions.size(); i++) {
            BatchOutcomes.Decision d = decisions.get(i);
            EntryIngester.Outcome o = accepted.get(i); // decisions come in the order of the candidates
            switch (d.outcome()) {
                case ADD -> toAdd.add(o.values());
                case DUPLICATE -> duplicates++;
                case CONFLICT -> {
                    conflicts++;
                    quarantine.add(quarantineRow(o, "CONFLICT", IngestJob.conflictDetail(d)));
                }
            }
            if (d.outcome() != BatchOutcomes.Outcome.CONFLICT) {
                series.add((String) o.values()[I_SERIES]);
                studies.add((String) o.values()[I_STUDY]);
            }
        }
        java.util.concurrent.CompletableFuture<SeriesStudyAggregation.Result> aggregates;
        if (toAdd.size() == accepted.size()) {
            aggregates = likelyAggregates;
        } else {
            likelyAggregates.cancel(false);
            aggregates = aggregateAsync(existing, toAdd);
        }
        phase("decide");
        long added = toAdd.size();
        long notDicom = byReason.getOrDefault("NOT_DICOM", 0L);
        long quarantined = byReason.values().stream().mapToLong(Long::longValue).sum() - notDicom + conflicts;
        if (added == processed.accepted()) {
            // Every accepted entry is added (the usual case): the files written while processing hold exactly them.
            pending.commit(processed.files());
        } else {
            // Some are already in the lake or conflict: copy the added rows (whole, as the workers wrote them) to
            // new files and drop the speculative ones.
            List<io.delta.kernel.utils.DataFileStatus> files = List.of();
            if (added > 0) {
                Set<String> addedSources = new HashSet<>();
                for (Object[] v : toAdd) {
                    addedSources.add((String) v[I_SOURCE]);
                }
                List<Object[]> rows = new ArrayList<>();
                for (Object[] row : KernelTables.read(engine, processed.files(), pending.schema())) {
                    if (addedSources.contains((String) row[I_SOURCE])) {
                        rows.add(row);
                    }
                }
                if (rows.size() != added) {
                    throw new IngestException(ErrorCode.INGEST_INTERNAL, "Ingest found " + rows.size() + " of the "
                            + added + " rows to add in its own data files. This is a bug; re-run the same command.");
                }
                files = pending.write(List.of(rows).iterator());
            }
            KernelTables.PendingAppend.discard(processed.files());
            pending.commit(files);
        }
        phase("commit instances");
        // Three independent tables, each complete in one commit: written at once. A run killed among them leaves
        // what the next run recomputes (aggregates) or completes (quarantine rows not yet recorded).
        java.util.concurrent.CompletableFuture<Void> quarantineWritten = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                List<Object[]> newQuarantine = newQuarantineRows(lake, quarantine);
                if (!newQuarantine.isEmpty() || !KernelTables.exists(lake.table(Tables.QUARANTINE))) {
                    KernelTables.append(engine, lake.table(Tables.QUARANTINE),
                            KernelTables.schema(InstanceColumns.QUARANTINE), Map.of(), newQuarantine);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, BACKGROUND);
        SeriesStudyAggregation.Result agg = aggregates.join();
        phase("aggregates ready");
        java.util.concurrent.CompletableFuture<Void> studiesWritten = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                KernelTables.overwrite(engine, lake.table(Tables.STUDIES), KernelTables.schema(agg.studyColumns()),
                        agg.studies());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, BACKGROUND);
        KernelTables.overwrite(engine, lake.table(Tables.SERIES), KernelTables.schema(agg.seriesColumns()), agg.series());
        join(studiesWritten);
        join(quarantineWritten);
        phase("quarantine, series, studies");
        long seen = outcomes.size();
        if (seen != added + duplicates + quarantined + notDicom) {
            throw new IngestException(ErrorCode.INGEST_INTERNAL, "Ingest accounting is inconsistent: " + seen
                    + " entries seen but " + (added + duplicates + quarantined + notDicom) + " outcomes. This is a bug.");
        }
        IngestResult result = new IngestResult(runId, request.project(), seen, added, duplicates, quarantined,
                notDicom, conflicts, series.size(), studies.size(), started, Instant.now());
        appendRun(lake, "SUCCEEDED", result);
        phase("record run");
        return result;
    }

    /** The series and study aggregates of {@code existing} (in aggregation input order) plus added instance rows. */
    private static java.util.concurrent.CompletableFuture<SeriesStudyAggregation.Result> aggregateAsync(
            List<Object[]> existing, List<Object[]> added) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            List<Object[]> all = new ArrayList<>(existing);
            int[] pick = SeriesStudyAggregation.INPUT.stream().mapToInt(InstanceColumns::index).toArray();
            for (Object[] v : added) {
                Object[] in = new Object[pick.length];
                for (int i = 0; i < pick.length; i++) {
                    in[i] = v[pick[i]];
                }
                all.add(in);
            }
            return SeriesStudyAggregation.aggregate(all);
        }, BACKGROUND);
    }

    /**
     * What the {@code instances} table holds when the run starts, from one scan: the rows the aggregates need, the
     * instance held under each SOP Instance UID, and SHA-256 to location of the objects the lake owns (in-place
     * registrations excluded), so that bytes it holds are not stored again.
     */
    record HeldInstances(List<Object[]> aggregationInput, Map<String, BatchOutcomes.Held> bySop,
                         Map<String, String> objects) {
        static HeldInstances read(Engine engine, Path instancesTable) throws IOException {
            List<String> columns = new ArrayList<>(SeriesStudyAggregation.INPUT);
            int sop = columns.size();
            columns.add(Instances.SOP_INSTANCE_UID);
            columns.add(Instances.SHA256);
            columns.add(Instances.LOCATION);
            int source = SeriesStudyAggregation.INPUT.indexOf(Instances.SOURCE_URI);
            List<Object[]> input = new ArrayList<>();
            Map<String, BatchOutcomes.Held> bySop = new HashMap<>();
            Map<String, String> objects = new HashMap<>();
            for (Object[] r : KernelTables.scan(engine, instancesTable, columns)) {
                input.add(Arrays.copyOf(r, sop));
                String sha = (String) r[sop + 1];
                bySop.put((String) r[sop], new BatchOutcomes.Held(sha, (String) r[source]));
                String location = (String) r[sop + 2];
                if (location != null && !location.contains(":")) {
                    objects.putIfAbsent(sha, location);
                }
            }
            return new HeldInstances(input, bySop, objects);
        }
    }

    /** The quarantine rows not yet recorded, by (source URI, sha256, reason): a re-run records nothing twice. */
    private List<Object[]> newQuarantineRows(LakeLayout lake, List<Object[]> rows) throws IOException {
        Map<List<Object>, Object[]> unique = new LinkedHashMap<>();
        for (Object[] r : rows) {
            unique.putIfAbsent(Arrays.asList(r[0], r[2], r[3]), r);
        }
        if (!unique.isEmpty()) {
            for (Object[] r : KernelTables.scan(engine, lake.table(Tables.QUARANTINE), List.of(Tables.Quarantine.SOURCE_URI,
                    Tables.Quarantine.SHA256, Tables.Quarantine.REASON))) {
                unique.remove(Arrays.asList(r[0], r[1], r[2]));
            }
        }
        return new ArrayList<>(unique.values());
    }

    /** A quarantine row (contract order). */
    private static Object[] quarantineRow(EntryIngester.Outcome o, String reason, String detail) {
        return new Object[] {o.get(Instances.SOURCE_URI), o.get(Instances.SIZE_BYTES), o.get(Instances.SHA256), reason,
            detail, o.get(Instances.SOP_INSTANCE_UID), o.get(Instances.PROJECT), o.get(Instances.RUN_ID),
            o.get(Instances.INGESTED_AT)};
    }

    private void appendRun(LakeLayout lake, String status, IngestResult r) throws IOException {
        Object[] row = {r.runId(), List.copyOf(request.sources()), request.project(), request.site(), request.user(),
            r.startedAt(), r.finishedAt(), status, r.filesSeen(), r.instancesAdded(), r.instancesExisting(),
            r.quarantined(), r.notDicom(), r.conflicts(), r.series(), r.studies()};
        List<Object[]> rows = new ArrayList<>();
        rows.add(row);
        KernelTables.append(engine, lake.table(Tables.INGEST_RUNS), KernelTables.schema(InstanceColumns.INGEST_RUNS),
                Map.of(), rows);
    }

    private void recordFailure(LakeLayout lake, String runId, Instant started) {
        try {
            appendRun(lake, "FAILED", new IngestResult(runId, request.project(), 0, 0, 0, 0, 0, 0, 0, 0, started,
                    Instant.now()));
        } catch (IOException | RuntimeException ignored) {
            // best effort: the original failure is what the caller needs to see
        }
    }
}
