package org.medlake.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
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
import org.medlake.lake.LakeLayout;

/**
 * Executor-side work of an ingest: for each source URI, stream the bytes once into a temp file inside the lake
 * while computing SHA-256, parse the copy with {@link DicomReader}, and either move it atomically to its
 * content-addressed key (kept if already there) and emit an instance row, or delete it and emit a quarantine row.
 *
 * <p>Rows follow {@link #OUTCOME}: the {@code instances} columns (all nullable) plus {@code reason} and
 * {@code detail}, which are null for accepted instances.
 */
final class FileIngester implements FlatMapFunction<Iterator<String>, Row>, Serializable {
    private static final long serialVersionUID = 1L;

    static final String REASON = "reason";
    static final String DETAIL = "detail";
    static final StructType OUTCOME;

    static {
        List<StructField> fields = new ArrayList<>();
        for (StructField f : LakeSchemas.INSTANCES.fields()) {
            fields.add(DataTypes.createStructField(f.name(), f.dataType(), true));
        }
        fields.add(DataTypes.createStructField(REASON, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField(DETAIL, DataTypes.StringType, true));
        OUTCOME = DataTypes.createStructType(fields);
    }

    private final String lakeRoot;
    private final String project;
    private final String site;
    private final String runId;
    private final LongAccumulator filesDone;

    FileIngester(Path lakeRoot, String project, String site, String runId, LongAccumulator filesDone) {
        this.lakeRoot = lakeRoot.toString();
        this.project = project;
        this.site = site;
        this.runId = runId;
        this.filesDone = filesDone;
    }

    @Override
    public Iterator<Row> call(Iterator<String> uris) throws IOException {
        LakeLayout lake = LakeLayout.at(Path.of(lakeRoot));
        Path tmpDir = lake.root().resolve("objects").resolve("tmp");
        Files.createDirectories(tmpDir);
        Configuration conf = new Configuration();
        List<Row> out = new ArrayList<>();
        while (uris.hasNext()) {
            out.add(ingest(uris.next(), lake, tmpDir, conf));
            filesDone.add(1);
        }
        return out.iterator();
    }

    private Row ingest(String uri, LakeLayout lake, Path tmpDir, Configuration conf) throws IOException {
        Path tmp = tmpDir.resolve(runId + "-" + UUID.randomUUID() + ".part");
        long size;
        String sha;
        try {
            org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(URI.create(uri));
            FileSystem fs = src.getFileSystem(conf);
            MessageDigest md = sha256();
            try (InputStream in = fs.open(src);
                 OutputStream os = new DigestOutputStream(Files.newOutputStream(tmp), md)) {
                size = in.transferTo(os);
            }
            sha = HexFormat.of().formatHex(md.digest());
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            return quarantine(uri, null, null, "UNREADABLE", "Cannot read source file " + uri + ": " + e
                    + ". Check that it is readable by the ingest process and re-run the ingest.", null);
        }
        try {
            InstanceHeader h;
            try {
                h = DicomReader.read(tmp);
            } catch (DicomReadException e) {
                return quarantine(uri, size, sha, e.reason().name(), e.getMessage().replace(tmp.toString(), uri), null);
            } catch (DicomException | OutOfMemoryError e) {
                return quarantine(uri, size, sha, "UNREADABLE", "DICOM file " + uri + " could not be read: " + e
                        + ". Fix: validate the file and re-export it from its source system.", null);
            }
            String key = LakeLayout.objectKey(sha);
            Path target = lake.resolve(key);
            if (!Files.exists(target)) {
                Files.createDirectories(target.getParent());
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException raced) {
                    // another task stored the same bytes meanwhile
                }
            }
            return RowFactory.create(
                    h.sopInstanceUid(), h.seriesInstanceUid(), h.studyInstanceUid(), h.sopClassUid(),
                    h.transferSyntaxUid(), h.patientId(), h.patientSex(), h.patientAgeYears(),
                    h.studyDate() == null ? null : Date.valueOf(h.studyDate()),
                    h.studyDescription(), h.seriesDescription(), h.seriesNumber(), h.instanceNumber(), h.modality(),
                    h.bodyPartExamined(), h.manufacturer(), h.rows(), h.columns(),
                    project, site, key, uri, size, sha, runId, Timestamp.from(Instant.now()),
                    null, null);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private Row quarantine(String uri, Long size, String sha, String reason, String detail, String sop) {
        Object[] values = new Object[OUTCOME.size()];
        values[OUTCOME.fieldIndex(org.medlake.lake.Tables.Instances.SOURCE_URI)] = uri;
        values[OUTCOME.fieldIndex(org.medlake.lake.Tables.Instances.SIZE_BYTES)] = size;
        values[OUTCOME.fieldIndex(org.medlake.lake.Tables.Instances.SHA256)] = sha;
        values[OUTCOME.fieldIndex(org.medlake.lake.Tables.Instances.SOP_INSTANCE_UID)] = sop;
        values[OUTCOME.fieldIndex(org.medlake.lake.Tables.Instances.PROJECT)] = project;
        values[OUTCOME.fieldIndex(org.medlake.lake.Tables.Instances.SITE)] = site;
        values[OUTCOME.fieldIndex(org.medlake.lake.Tables.Instances.RUN_ID)] = runId;
        values[OUTCOME.fieldIndex(org.medlake.lake.Tables.Instances.INGESTED_AT)] = Timestamp.from(Instant.now());
        values[OUTCOME.fieldIndex(REASON)] = reason;
        values[OUTCOME.fieldIndex(DETAIL)] = detail;
        return RowFactory.create(values);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }
}
