package org.medlake.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.medlake.dicom.DicomException;
import org.medlake.dicom.DicomReadException;
import org.medlake.dicom.DicomReader;
import org.medlake.dicom.InstanceHeader;
import org.medlake.ingest.routing.RoutingRules;
import org.medlake.ingest.source.SourceReader;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.Tables.Instances;

/**
 * Executor-side work of an ingest (the Spark engine): each task runs {@link EntryIngester} over its source URIs,
 * storing accepted entries in a pack of its own ({@link PackObjects}, closed before the task returns its rows, so
 * every location in them is valid), and turns each outcome into a Spark row.
 *
 * <p>Rows follow {@link #OUTCOME}: the {@code instances} columns (all nullable) plus {@code reason} and
 * {@code detail}, which are null for accepted instances. Bytes the lake already owned when the run started are not
 * stored again; bytes of a task that was killed or retried stay unreferenced in its pack.
 */
final class FileIngester implements FlatMapFunction<Iterator<String>, Row>, Serializable {
    private static final long serialVersionUID = 1L;

    static final String REASON = "reason";
    static final String DETAIL = "detail";
    /** Separates a staged file's URI from the source URI it is recorded under (a tab never occurs in a URI). */
    static final String RECORDED_AS = EntryIngester.RECORDED_AS;
    static final StructType OUTCOME;

    /** Column index by name in {@link #OUTCOME}. */
    private static final Map<String, Integer> INDEX = new HashMap<>();
    /** Positions in {@link #OUTCOME} that the driver needs. */
    static final int REASON_INDEX;
    static final int SOURCE_INDEX;
    private static final int INSTANCE_WIDTH = LakeSchemas.INSTANCES.size();
    /** Fields of a {@link #compact} row. */
    static final int C_SOP = 0, C_SHA = 1, C_SOURCE = 2, C_SERIES = 3, C_STUDY = 4, C_SIZE = 5, C_PROJECT = 6,
            C_RUN = 7, C_AT = 8, C_REASON = 9, C_DETAIL = 10;
    private static final String[] COMPACT = {Instances.SOP_INSTANCE_UID, Instances.SHA256, Instances.SOURCE_URI,
        Instances.SERIES_INSTANCE_UID, Instances.STUDY_INSTANCE_UID, Instances.SIZE_BYTES, Instances.PROJECT,
        Instances.RUN_ID, Instances.INGESTED_AT, REASON, DETAIL};

    static {
        List<StructField> fields = new ArrayList<>();
        for (StructField f : LakeSchemas.INSTANCES.fields()) {
            fields.add(DataTypes.createStructField(f.name(), f.dataType(), true));
        }
        fields.add(DataTypes.createStructField(REASON, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField(DETAIL, DataTypes.StringType, true));
        OUTCOME = DataTypes.createStructType(fields);
        for (int i = 0; i < fields.size(); i++) {
            INDEX.put(fields.get(i).name(), i);
        }
        REASON_INDEX = INDEX.get(REASON);
        SOURCE_INDEX = INDEX.get(Instances.SOURCE_URI);
    }

    /** The few fields of an outcome row that the driver decides on (see {@code C_*}); no header, no JSON. */
    static Row compact(Row outcome) {
        Object[] v = new Object[COMPACT.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = outcome.get(INDEX.get(COMPACT[i]));
        }
        return RowFactory.create(v);
    }

    /** An accepted outcome row as an {@code instances} row. */
    static Row instanceRow(Row outcome) {
        Object[] v = new Object[INSTANCE_WIDTH];
        for (int i = 0; i < v.length; i++) {
            v[i] = outcome.get(i);
        }
        return RowFactory.create(v);
    }

    private final String lakeRoot;
    private final EntryIngester.Settings settings;
    private final String runId;
    private final LongAccumulator filesDone;
    /** The driver's file-system settings ({@code fs.*}, e.g. S3 endpoint and credentials), for the executors. */
    private final Map<String, String> fsSettings;

    /** SHA-256 to location of the objects the lake owned when the run started (not stored again). */
    private final Map<String, String> known;

    FileIngester(Path lakeRoot, IngestRequest request, String runId, LongAccumulator filesDone,
                 Map<String, String> fsSettings, Map<String, String> known) {
        this.known = new HashMap<>(known);
        this.fsSettings = new HashMap<>(fsSettings);
        this.lakeRoot = lakeRoot.toString();
        this.settings = EntryIngester.Settings.of(request);
        this.runId = runId;
        this.filesDone = filesDone;
    }

    @Override
    public Iterator<Row> call(Iterator<String> uris) throws IOException {
        LakeLayout lake = LakeLayout.at(Path.of(lakeRoot));
        Path tmpDir = TempSpace.root(lake).resolve(runId);
        Files.createDirectories(tmpDir);
        Configuration conf = new Configuration();
        fsSettings.forEach(conf::set);
        org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
        String pack = runId + (task == null ? "-" + UUID.randomUUID()
                : "-p" + task.partitionId() + "-a" + task.attemptNumber() + "-" + task.taskAttemptId());
        List<Row> out = new ArrayList<>();
        // The pack is closed (flushed) before the rows leave the task, so every location in them is valid.
        try (PackObjects objects = new PackObjects(lake, pack, known, new java.util.concurrent.ConcurrentHashMap<>())) {
            EntryIngester ingester = new EntryIngester(settings, runId, objects, tmpDir, conf);
            while (uris.hasNext()) {
                ingester.ingestItem(uris.next(), o -> out.add(row(o)));
                filesDone.add(1);
            }
        }
        return out.iterator();
    }

    /** An outcome as a Spark row of {@link #OUTCOME}. */
    private static Row row(EntryIngester.Outcome o) {
        Object[] values = new Object[OUTCOME.size()];
        Object[] v = o.values();
        for (int i = 0; i < v.length; i++) {
            values[i] = HeaderColumns.toSpark(v[i]);
        }
        values[REASON_INDEX] = o.reason();
        values[REASON_INDEX + 1] = o.detail();
        return RowFactory.create(values);
    }

}
