package org.medlake.curation.pipeline;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.medlake.ingest.LakeSpark;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.LakeObjects;
import org.medlake.lake.Tables;
import org.medlake.lake.Tables.Instances;
import org.medlake.lake.Tables.Nifti;
import org.medlake.lake.Tables.SeriesCuration;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Curates what is new in a lake: every series whose instances changed since it was last curated (by
 * {@code input_fingerprint}) is read from the lake's objects and run through {@link SeriesCurator} on the
 * executors. Results replace the series' rows in {@code deid_findings}, {@code qa_metrics} and
 * {@code series_curation} (one atomic {@code replaceWhere} commit per table), {@code curation_log} gets the actions
 * not logged yet, and {@code study_curation} is rebuilt from {@code series_curation}.
 *
 * <p>Idempotent and kill-safe: {@code series_curation} is written after everything it vouches for, so a run killed
 * earlier leaves its series looking uncurated and the next run redoes them, replacing (not adding to) their rows.
 * A run with nothing new writes nothing.
 */
public final class CurateJob {
    /** Receives progress while series are curated. */
    @FunctionalInterface
    public interface Progress {
        void onSeries(long done, long total);

        Progress NONE = (done, total) -> {};
    }

    /** What a run did. */
    public record Result(String runId, long seriesInLake, long seriesCurated, Map<String, Long> deid,
                         Map<String, Long> completeness, Map<String, Long> qa, Map<String, Long> seriesTypes,
                         Map<String, Long> nifti) {}

    private CurateJob() {}

    /** Curates the lake at {@code lakeRoot}. */
    public static Result run(SparkSession spark, Path lakeRoot, Progress progress) {
        LakeLayout lake = LakeLayout.at(lakeRoot);
        String runId = UUID.randomUUID().toString();
        if (!hasTable(lake, Tables.INSTANCES)) {
            return new Result(runId, 0, 0, Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
        }
        Dataset<Row> instances = spark.read().format("delta").load(lake.tableUri(Tables.INSTANCES));
        Dataset<Row> series = instances.groupBy(col(Instances.SERIES_INSTANCE_UID)).agg(
                min(col(Instances.STUDY_INSTANCE_UID)).as("study"),
                min(col(Instances.PROJECT)).as("project"),
                min(col(Instances.MODALITY)).as("modality"),
                count(lit(1)).as("n"),
                sha2(concat_ws(",", array_sort(collect_list(concat_ws(":", col(Instances.SOP_INSTANCE_UID),
                        col(Instances.SHA256))))), 256).as("fingerprint"),
                collect_list(struct(col(Instances.SOP_INSTANCE_UID), col(Instances.LOCATION))).as("refs"));
        Dataset<Row> todo = series;
        if (hasTable(lake, Tables.SERIES_CURATION)) {
            Dataset<Row> done = spark.read().format("delta").load(lake.tableUri(Tables.SERIES_CURATION))
                    .select(col(SeriesCuration.SERIES_INSTANCE_UID).as("_done_uid"),
                            col(SeriesCuration.INPUT_FINGERPRINT).as("_done_fp"));
            todo = series.join(done, col(Instances.SERIES_INSTANCE_UID).equalTo(col("_done_uid"))
                    .and(col("fingerprint").equalTo(col("_done_fp"))), "left_anti");
        }
        todo = todo.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long inLake = series.count();
            long total = todo.count();
            if (total == 0) {
                return new Result(runId, inLake, 0, Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
            }
            SeriesCurator probe = SeriesCurator.defaults();
            String codeVersion = probe.codeVersion();
            LongAccumulator done = spark.sparkContext().longAccumulator("medlake.curate.series");
            // Spread series over tasks by size: one task per series would cost more in set-up than it saves.
            int slices = (int) Math.max(1, Math.min(total, spark.sparkContext().defaultParallelism() * 4L));
            JavaRDD<Row> outcomes = todo.repartition(slices).javaRDD()
                    .mapPartitions(new CurateTask(lakeRoot.toString(), runId, codeVersion, done, LakeSpark.fsSettings(spark)));
            Dataset<Row> results = spark.createDataFrame(outcomes, CurationSchemas.OUTCOME)
                    .persist(StorageLevel.MEMORY_AND_DISK());
            try {
                Poller poller = new Poller(done, total, progress);
                try {
                    results.count();
                } finally {
                    poller.stop();
                }
                List<String> uids = results.select(SeriesCuration.SERIES_INSTANCE_UID).as(
                        org.apache.spark.sql.Encoders.STRING()).collectAsList();
                String where = inList(uids);
                Timestamp now = Timestamp.from(Instant.now());

                Dataset<Row> findings = results.select(explode(col("findings")).as("f"),
                                col(SeriesCuration.SERIES_INSTANCE_UID))
                        .select(col("f.*"), col(SeriesCuration.SERIES_INSTANCE_UID))
                        .withColumn("curation_run_id", lit(runId));
                replace(spark, lake, Tables.DEID_FINDINGS, findings, CurationSchemas.DEID_FINDINGS, where);

                Dataset<Row> metrics = results.select(col(SeriesCuration.SERIES_INSTANCE_UID),
                                col(SeriesCuration.MODALITY), explode(col("metrics")).as("m"))
                        .select(col(SeriesCuration.SERIES_INSTANCE_UID), col(SeriesCuration.MODALITY), col("m.*"))
                        .withColumn("curation_run_id", lit(runId));
                replace(spark, lake, Tables.QA_METRICS, metrics, CurationSchemas.QA_METRICS, where);

                Dataset<Row> log = results.select(col(SeriesCuration.SERIES_INSTANCE_UID),
                                col(SeriesCuration.INPUT_FINGERPRINT), explode(col("log")).as("l"))
                        .select(lit(runId).as("curation_run_id"), col("l.action"), lit(codeVersion).as("code_version"),
                                col(SeriesCuration.SERIES_INSTANCE_UID), col(SeriesCuration.INPUT_FINGERPRINT),
                                col("l.inputs"), col("l.outputs"), lit(now).as("at"));
                appendLog(spark, lake, log);

                Dataset<Row> nifti = results.select(col(SeriesCuration.SERIES_INSTANCE_UID),
                                col(SeriesCuration.STUDY_INSTANCE_UID), col(SeriesCuration.PROJECT),
                                col(SeriesCuration.INPUT_FINGERPRINT), explode(col("nifti")).as("n"))
                        .select(col(SeriesCuration.SERIES_INSTANCE_UID), col(SeriesCuration.STUDY_INSTANCE_UID),
                                col(SeriesCuration.PROJECT), col("n.*"), col(SeriesCuration.INPUT_FINGERPRINT),
                                lit(NiftiStep.converterVersion()).as(Nifti.CONVERTER_VERSION),
                                lit(runId).as(Nifti.CURATION_RUN_ID), lit(now).as(Nifti.CONVERTED_AT));
                replace(spark, lake, Tables.NIFTI, nifti, CurationSchemas.NIFTI, where);
                Map<String, Long> niftiCounts = counts(nifti, Nifti.STATUS);

                // series_curation last: a run killed before this commit is redone in full by the next one
                Dataset<Row> rows = results.select(CollectionConverters.asScala(
                        List.of(CurationSchemas.SERIES_CURATION.fieldNames()).stream().map(org.apache.spark.sql.functions::col)
                                .toList()).toSeq());
                replace(spark, lake, Tables.SERIES_CURATION, rows, CurationSchemas.SERIES_CURATION, where);
                rebuildStudies(spark, lake, runId, now);

                return new Result(runId, inLake, uids.size(), counts(results, SeriesCuration.DEID_STATUS),
                        counts(results, SeriesCuration.COMPLETENESS_STATUS), counts(results, SeriesCuration.QA_STATUS),
                        counts(results, SeriesCuration.SERIES_TYPE), niftiCounts);
            } finally {
                results.unpersist();
            }
        } finally {
            todo.unpersist();
        }
    }

    /** Replaces the rows of the given series in one commit; creates the table on first use. */
    private static void replace(SparkSession spark, LakeLayout lake, String table, Dataset<Row> rows,
                                org.apache.spark.sql.types.StructType schema, String where) {
        Dataset<Row> typed = spark.createDataFrame(rows.javaRDD(), schema);
        if (!hasTable(lake, table)) {
            typed.write().format("delta").mode(SaveMode.Append).save(lake.tableUri(table));
        } else {
            typed.write().format("delta").mode(SaveMode.Overwrite).option("replaceWhere", where)
                    .save(lake.tableUri(table));
        }
    }

    /** Appends the log entries not recorded yet for the same series, fingerprint, action and code version. */
    private static void appendLog(SparkSession spark, LakeLayout lake, Dataset<Row> log) {
        Dataset<Row> typed = spark.createDataFrame(log.javaRDD(), CurationSchemas.CURATION_LOG);
        if (!hasTable(lake, Tables.CURATION_LOG)) {
            typed.write().format("delta").mode(SaveMode.Append).save(lake.tableUri(Tables.CURATION_LOG));
            return;
        }
        DeltaTable.forPath(spark, lake.tableUri(Tables.CURATION_LOG)).as("t")
                .merge(typed.as("s"), "t.series_instance_uid = s.series_instance_uid"
                        + " AND t.input_fingerprint = s.input_fingerprint AND t.action = s.action"
                        + " AND t.code_version = s.code_version")
                .whenNotMatched().insertAll()
                .execute();
    }

    private static void rebuildStudies(SparkSession spark, LakeLayout lake, String runId, Timestamp now) {
        spark.read().format("delta").load(lake.tableUri(Tables.SERIES_CURATION)).createOrReplaceTempView("_sc");
        Dataset<Row> studies = spark.sql("SELECT study_instance_uid, min(project) AS project, count(*) AS series_count,"
                + " CASE max(CASE deid_status WHEN 'FAIL' THEN 2 WHEN 'REVIEW' THEN 1 ELSE 0 END)"
                + "   WHEN 2 THEN 'FAIL' WHEN 1 THEN 'REVIEW' ELSE 'PASS' END AS deid_status,"
                + " CASE max(CASE completeness_status WHEN 'INCONSISTENT' THEN 2 WHEN 'INCOMPLETE' THEN 1 ELSE 0 END)"
                + "   WHEN 2 THEN 'INCONSISTENT' WHEN 1 THEN 'INCOMPLETE' ELSE 'COMPLETE' END AS completeness_status,"
                + " CASE max(CASE qa_status WHEN 'FAIL' THEN 2 WHEN 'WARN' THEN 1 ELSE 0 END)"
                + "   WHEN 2 THEN 'FAIL' WHEN 1 THEN 'WARN' ELSE 'PASS' END AS qa_status,"
                + " max(curation_run_id) AS curation_run_id, max(curated_at) AS curated_at"
                + " FROM _sc GROUP BY study_instance_uid");
        studies.write().format("delta").mode(SaveMode.Overwrite).option("overwriteSchema", "true")
                .save(lake.tableUri(Tables.STUDY_CURATION));
    }

    private static String inList(List<String> uids) {
        return "series_instance_uid IN (" + uids.stream().map(u -> "'" + u.replace("'", "''") + "'")
                .collect(Collectors.joining(",")) + ")";
    }

    private static Map<String, Long> counts(Dataset<Row> ds, String column) {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (Row r : ds.groupBy(column).count().collectAsList()) {
            out.put(String.valueOf(r.get(0)), r.getLong(1));
        }
        return out;
    }

    static boolean hasTable(LakeLayout lake, String table) {
        return Files.isDirectory(lake.table(table).resolve("_delta_log"));
    }

    /** Executor side: reads each series' instances from the lake and curates it. */
    static final class CurateTask implements FlatMapFunction<Iterator<Row>, Row>, Serializable {
        private static final long serialVersionUID = 1L;
        private final String lakeRoot;
        private final String runId;
        private final String codeVersion;
        private final LongAccumulator done;
        private final Map<String, String> fsSettings;

        CurateTask(String lakeRoot, String runId, String codeVersion, LongAccumulator done, Map<String, String> fs) {
            this.lakeRoot = lakeRoot;
            this.runId = runId;
            this.codeVersion = codeVersion;
            this.done = done;
            this.fsSettings = new HashMap<>(fs);
        }

        @Override
        public Iterator<Row> call(Iterator<Row> series) throws IOException {
            LakeLayout lake = LakeLayout.at(Path.of(lakeRoot));
            LakeObjects objects = new LakeObjects(lake);
            Configuration conf = new Configuration();
            fsSettings.forEach(conf::set);
            SeriesCurator curator = SeriesCurator.defaults();
            List<Row> out = new ArrayList<>();
            while (series.hasNext()) {
                Row s = series.next();
                String uid = s.getString(0);
                List<Row> refs = s.getList(6);
                List<SeriesCurator.Instance> instances = new ArrayList<>();
                for (Row ref : refs) {
                    instances.add(new SeriesCurator.Instance(ref.getString(1), read(objects, conf, ref.getString(1))));
                }
                List<NiftiStep.Output> nifti = convert(lake, uid, s.getString(3), instances);
                String thumbnail = "thumbnails/" + uid.replaceAll("[^A-Za-z0-9._-]", "_") + ".png";
                SeriesCurator.Curated c = curator.curate(new SeriesCurator.Series(uid, s.getString(1), s.getString(2),
                        s.getString(3), s.getString(5)), instances, thumbnail, note -> { });
                if (c.thumbnailPng() != null) {
                    writeAtomically(lake.root().resolve(thumbnail), c.thumbnailPng());
                }
                out.add(toRow(c.outcome(), runId, codeVersion, nifti));
                done.add(1);
            }
            return out.iterator();
        }

        /**
         * Converts the series to NIfTI. Whole files in a local lake (one-file objects, in-place {@code file:} URIs)
         * are read where they are; packed objects (regions of a pack) and non-local ones (e.g. {@code s3a:}) are
         * written to a temporary folder first, as the converter reads files.
         */
        private static List<NiftiStep.Output> convert(LakeLayout lake, String uid, String modality,
                                                      List<SeriesCurator.Instance> instances) throws IOException {
            List<Path> files = new ArrayList<>();
            Path tmp = null;
            try {
                for (SeriesCurator.Instance i : instances) {
                    String location = i.uri();
                    if (isLocal(location) && !LakeObjects.isPacked(location)) {
                        files.add(lake.resolve(location));
                    } else {
                        if (tmp == null) {
                            tmp = Files.createTempDirectory("medlake-nifti");
                        }
                        Path f = tmp.resolve(files.size() + ".dcm");
                        Files.write(f, i.bytes());
                        files.add(f);
                    }
                }
                return NiftiStep.convert(lake.root(), uid, modality, files);
            } finally {
                if (tmp != null) {
                    try (java.util.stream.Stream<Path> s = Files.walk(tmp)) {
                        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                            Files.deleteIfExists(p);
                        }
                    }
                }
            }
        }

        /** The object's bytes: lake objects (packed or whole files) and {@code file:} URIs locally, others through Hadoop. */
        private static byte[] read(LakeObjects objects, Configuration conf, String location) throws IOException {
            if (isLocal(location)) {
                return objects.readAllBytes(location);
            }
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(location);
            FileSystem fs = p.getFileSystem(conf);
            try (InputStream in = fs.open(p)) {
                return in.readAllBytes();
            }
        }

        /** Lake-relative locations never contain ':' (docs/lake-tables.md); in-place local files are file: URIs. */
        private static boolean isLocal(String location) {
            return !location.contains(":") || location.startsWith("file:");
        }

        private static void writeAtomically(Path target, byte[] bytes) throws IOException {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".part");
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }

        private static Row toRow(SeriesOutcome o, String runId, String codeVersion, List<NiftiStep.Output> nifti) {
            List<Row> findings = o.findings().stream().map(f -> RowFactory.create(f.sopInstanceUid(), f.severity(),
                    f.tag(), f.keyword(), f.location(), f.rule(), f.basis(), f.reason(), f.hint())).toList();
            List<Row> metrics = o.metrics().stream().map(m -> RowFactory.create(m.metric(), m.value(), m.unit(),
                    m.status(), m.formula())).toList();
            List<Row> log = new ArrayList<>(SeriesCurator.logEntries(o).stream()
                    .map(e -> RowFactory.create((Object[]) e)).toList());
            String inputs = "fingerprint=" + o.inputFingerprint() + " instances=" + o.instanceCount();
            log.add(RowFactory.create("NIFTI", inputs, nifti.stream().map(NiftiStep.Output::logLine)
                    .collect(Collectors.joining("; "))));
            List<Row> niftiRows = nifti.stream().map(n -> RowFactory.create(n.status(), n.reason(), n.index(), n.name(),
                    n.location(), n.sidecarLocation(), n.bvalLocation(), n.bvecLocation(), n.sha256(), n.sizeBytes(),
                    seq(n.dims()), seq(n.pixdim()), seq(n.inputSopInstanceUids()))).toList();
            return RowFactory.create(o.seriesInstanceUid(), o.studyInstanceUid(), o.project(), o.modality(),
                    o.instanceCount(), o.inputFingerprint(), o.deidStatus(), o.deidFailInstances(),
                    o.deidReviewInstances(), seq(o.deidRules()), o.completenessStatus(), seq(o.completenessReasons()),
                    o.seriesType(), o.seriesTypeConfidence(), seq(o.classificationEvidence()),
                    scala.collection.immutable.Map.from(CollectionConverters.asScala(o.classificationAttributes())),
                    o.qaStatus(), o.thumbnail(), runId, codeVersion, Timestamp.from(Instant.now()),
                    seq(findings), seq(metrics), seq(log), seq(niftiRows));
        }

        private static <T> scala.collection.immutable.Seq<T> seq(List<T> list) {
            return CollectionConverters.asScala(list).toSeq();
        }
    }

    /** Forwards the accumulator to the progress listener twice a second. */
    private static final class Poller {
        private final Thread thread;
        private volatile boolean running = true;
        private final LongAccumulator done;
        private final long total;
        private final Progress progress;

        Poller(LongAccumulator done, long total, Progress progress) {
            this.done = done;
            this.total = total;
            this.progress = progress;
            thread = new Thread(() -> {
                long last = -1;
                while (running) {
                    long now = done.value();
                    if (now != last) {
                        progress.onSeries(now, total);
                        last = now;
                    }
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "medlake-curate-progress");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            running = false;
            thread.interrupt();
            progress.onSeries(done.value(), total);
        }
    }
}
