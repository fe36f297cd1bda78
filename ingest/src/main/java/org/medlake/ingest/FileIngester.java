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
 * Executor-side work of an ingest: each source URI is opened with {@link SourceReader} (a plain file, a member of
 * a zip/tar/tar.gz archive, or a gzip-wrapped file), each entry's bytes are read once while computing SHA-256, its
 * header is parsed with {@link DicomReader}, it is routed to a project, and it is either stored content-addressed
 * in the lake (or registered in place) with an instance row, or described by a quarantine row.
 *
 * <p>Rows follow {@link #OUTCOME}: the {@code instances} columns (all nullable) plus {@code reason} and
 * {@code detail}, which are null for accepted instances. Storing is idempotent: an object key that exists already
 * is kept, so a re-run after a kill finds the same objects.
 */
final class FileIngester implements FlatMapFunction<Iterator<String>, Row>, Serializable {
    private static final long serialVersionUID = 1L;

    static final String REASON = "reason";
    static final String DETAIL = "detail";
    /** Separates a staged file's URI from the source URI it is recorded under (a tab never occurs in a URI). */
    static final String RECORDED_AS = "\t";
    static final StructType OUTCOME;
    /** Entries up to this size are held in memory; larger ones are spilled to a temp file in the lake. */
    private static final int IN_MEMORY_LIMIT = 256 << 20;

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
    private final String site;
    private final String runId;
    private final boolean inPlace;
    private final String deidSecret;
    private transient IngestDeidentifier deidentifier;
    private final RoutingRules rules;
    private final LongAccumulator filesDone;
    /** The driver's file-system settings ({@code fs.*}, e.g. S3 endpoint and credentials), for the executors. */
    private final Map<String, String> fsSettings;
    /** Object folders this task has made sure exist (creating an existing folder costs a failed syscall). */
    private transient java.util.Set<Path> createdDirs;

    FileIngester(Path lakeRoot, IngestRequest request, String runId, LongAccumulator filesDone,
                 Map<String, String> fsSettings) {
        this.fsSettings = new HashMap<>(fsSettings);
        this.lakeRoot = lakeRoot.toString();
        this.site = request.site();
        this.inPlace = request.inPlace() && request.deidSecret() == null;
        this.deidSecret = request.deidSecret();
        this.rules = request.rules();
        this.runId = runId;
        this.filesDone = filesDone;
    }

    @Override
    public Iterator<Row> call(Iterator<String> uris) throws IOException {
        LakeLayout lake = LakeLayout.at(Path.of(lakeRoot));
        createdDirs = new java.util.HashSet<>();
        deidentifier = deidSecret == null ? null : new IngestDeidentifier(deidSecret);
        Path tmpDir = TempSpace.root(lake).resolve(runId);
        Files.createDirectories(tmpDir);
        Configuration conf = new Configuration();
        fsSettings.forEach(conf::set);
        List<Row> out = new ArrayList<>();
        while (uris.hasNext()) {
            String item = uris.next();
            int tab = item.indexOf(RECORDED_AS);
            String file = tab < 0 ? item : item.substring(0, tab);
            String uri = tab < 0 ? item : item.substring(tab + 1);
            int before = out.size();
            try {
                SourceReader.forEachEntry(file, conf, (entryUri, in, size, inPlaceUri) -> out.add(ingest(
                        uri + entryUri.substring(file.length()), in, tab < 0 ? inPlaceUri : null, lake, tmpDir)));
            } catch (IOException | RuntimeException e) {
                boolean partial = out.size() > before;
                out.add(quarantine(uri, null, null, partial ? "TRUNCATED" : "UNREADABLE", (partial
                        ? "Archive " + uri + " is corrupt after " + (out.size() - before) + " readable entries: " + e
                        + ". The entries before the damage were ingested. Fix: re-create the archive and re-ingest it."
                        : "Cannot read source file " + uri + ": " + e
                        + ". Fix: check that it is readable by the ingest process and re-run the ingest."), null));
            }
            filesDone.add(1);
        }
        return out.iterator();
    }

    private Row ingest(String uri, InputStream in, String inPlaceUri, LakeLayout lake, Path tmpDir) throws IOException {
        Path spill = null;
        try {
            MessageDigest md = sha256();
            byte[] bytes = null;
            long size;
            byte[] head = in.readNBytes(IN_MEMORY_LIMIT);
            if (deidentifier != null && head.length < IN_MEMORY_LIMIT) {
                try {
                    head = deidentifier.apply(head);
                } catch (IOException | com.pixelmed.dicom.DicomException | RuntimeException e) {
                    // Not DICOM at all: the header parse below quarantines it with its reason. DICOM that cannot be
                    // de-identified must not be stored as it is.
                    if (isReadableDicom(head, uri)) {
                        String sha = HexFormat.of().formatHex(sha256().digest(head));
                        return quarantine(uri, (long) head.length, sha, "DEID_FAILED", "DICOM file " + uri
                                + " could not be de-identified: " + e + ". It was not stored. Fix: check the file, or "
                                + "ingest it without --deidentify into a restricted project.", null);
                    }
                }
            }
            if (head.length < IN_MEMORY_LIMIT) {
                bytes = head;
                md.update(bytes);
                size = bytes.length;
            } else {
                spill = tmpDir.resolve(runId + "-" + UUID.randomUUID() + ".part");
                try (OutputStream os = new DigestOutputStream(Files.newOutputStream(spill), md)) {
                    os.write(head);
                    size = head.length + in.transferTo(os);
                }
            }
            String sha = HexFormat.of().formatHex(md.digest());
            InstanceHeader h;
            try {
                h = bytes != null ? DicomReader.read(new ByteArrayInputStream(bytes), bytes.length, uri) : DicomReader.read(spill);
            } catch (DicomReadException e) {
                String detail = spill == null ? e.getMessage() : e.getMessage().replace(spill.toString(), uri);
                if (e.reason() == DicomReadException.Reason.MISSING_UID && isDicomdir(uri, bytes)) {
                    return quarantine(uri, size, sha, "NOT_DICOM", "DICOMDIR " + uri + " is a media directory index, "
                            + "not an image instance; the files it references are ingested on their own.", null);
                }
                return quarantine(uri, size, sha, e.reason().name(), detail, null);
            } catch (DicomException | OutOfMemoryError e) {
                return quarantine(uri, size, sha, "UNREADABLE", "DICOM file " + uri + " could not be read: " + e
                        + ". Fix: validate the file and re-export it from its source system.", null);
            }
            String location;
            if (inPlace && inPlaceUri != null) {
                location = inPlaceUri;
            } else {
                location = LakeLayout.objectKey(sha);
                store(bytes, spill, lake.resolve(location), tmpDir);
                spill = null; // moved into the store, or deleted by store()
            }
            Map<String, Object> columns = HeaderColumns.of(h);
            columns.put(Instances.PROJECT, route(h, columns, uri));
            columns.put(Instances.SITE, site);
            columns.put(Instances.LOCATION, location);
            columns.put(Instances.SOURCE_URI, uri);
            columns.put(Instances.SIZE_BYTES, size);
            columns.put(Instances.SHA256, sha);
            columns.put(Instances.RUN_ID, runId);
            columns.put(Instances.INGESTED_AT, Timestamp.from(Instant.now()));
            return row(columns);
        } finally {
            if (spill != null) {
                Files.deleteIfExists(spill);
            }
        }
    }

    private String route(InstanceHeader h, Map<String, Object> columns, String uri) {
        Map<String, Object> facts = new HashMap<>();
        columns.forEach((k, v) -> {
            if (v instanceof String) {
                facts.put(k, v);
            }
        });
        facts.put("source", uri);
        facts.put("site", site);
        facts.put("calling_ae", RoutingRules.callingAe(uri));
        return rules.route(facts);
    }

    /** Puts the bytes at {@code target} atomically unless an object with that key (hence those bytes) exists. */
    private void store(byte[] bytes, Path spill, Path target, Path tmpDir) throws IOException {
        if (Files.exists(target)) {
            if (spill != null) {
                Files.deleteIfExists(spill);
            }
            return;
        }
        if (createdDirs.add(target.getParent())) {
            Files.createDirectories(target.getParent());
        }
        Path tmp = spill;
        if (tmp == null) {
            tmp = tmpDir.resolve(runId + "-" + UUID.randomUUID() + ".part");
            Files.write(tmp, bytes);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException raced) {
            // another task stored the same bytes meanwhile
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean isReadableDicom(byte[] bytes, String uri) {
        try {
            DicomReader.read(new ByteArrayInputStream(bytes), bytes.length, uri);
            return true;
        } catch (DicomException e) {
            return false;
        }
    }

    /** The Media Storage Directory SOP Class, which a DICOMDIR declares in its file meta information. */
    private static final byte[] DICOMDIR_CLASS = "1.2.840.10008.1.3.10".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static boolean isDicomdir(String uri, byte[] bytes) {
        if (uri.toUpperCase(Locale.ROOT).endsWith("DICOMDIR")) {
            return true;
        }
        if (bytes == null) {
            return false;
        }
        // Look for the class UID in the file meta information (the first few hundred bytes), padded or ended.
        int end = Math.min(bytes.length, 1024) - DICOMDIR_CLASS.length;
        for (int i = 128; i < end; i++) {
            if (java.util.Arrays.equals(bytes, i, i + DICOMDIR_CLASS.length, DICOMDIR_CLASS, 0, DICOMDIR_CLASS.length)) {
                int next = i + DICOMDIR_CLASS.length < bytes.length ? bytes[i + DICOMDIR_CLASS.length] : 0;
                if (next < '0' || next > '9') {
                    return true;
                }
            }
        }
        return false;
    }

    private Row quarantine(String uri, Long size, String sha, String reason, String detail, String sop) {
        Map<String, Object> columns = new HashMap<>();
        columns.put(Instances.SOURCE_URI, uri);
        columns.put(Instances.SIZE_BYTES, size);
        columns.put(Instances.SHA256, sha);
        columns.put(Instances.SOP_INSTANCE_UID, sop);
        columns.put(Instances.PROJECT, rules.defaultProject());
        columns.put(Instances.SITE, site);
        columns.put(Instances.RUN_ID, runId);
        columns.put(Instances.INGESTED_AT, Timestamp.from(Instant.now()));
        columns.put(REASON, reason);
        columns.put(DETAIL, detail);
        return row(columns);
    }

    private static Row row(Map<String, Object> columns) {
        Object[] values = new Object[OUTCOME.size()];
        columns.forEach((name, value) -> {
            Integer index = INDEX.get(name);
            if (index != null) {
                values[index] = HeaderColumns.toSpark(value);
            }
        });
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
