package org.medlake.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.medlake.dicom.DicomException;
import org.medlake.dicom.DicomReadException;
import org.medlake.dicom.DicomReader;
import org.medlake.dicom.InstanceHeader;
import org.medlake.ingest.routing.RoutingRules;
import org.medlake.ingest.source.SourceReader;
import org.medlake.lake.Tables.Instances;

/**
 * The per-entry work of an ingest, independent of the engine that schedules it: each work item (a source file,
 * or a staged file with the source URI it is recorded under) is opened with {@link SourceReader} (a plain file, a
 * member of a zip/tar/tar.gz archive, or a gzip-wrapped file); each entry's bytes are read once while computing
 * SHA-256, its header is parsed with {@link DicomReader}, it is routed to a project, and it is either stored in the
 * lake through an {@link ObjectSink} (or registered in place) and described by an instance row, or described by a
 * quarantine row.
 *
 * <p>Not thread-safe: use one per worker thread (or Spark task).
 */
final class EntryIngester {
    /** Separates a staged file's URI from the source URI it is recorded under (a tab never occurs in a URI). */
    static final String RECORDED_AS = "\t";
    /** Entries up to this size are held in memory; larger ones are spilled to a temp file in the lake. */
    private static final int IN_MEMORY_LIMIT = 256 << 20;

    /** Stores an accepted entry's bytes in the lake and says where. */
    interface ObjectSink {
        /**
         * Stores the bytes (the first {@code length} of {@code bytes}, or, when that is null, the file {@code spill},
         * which the sink then owns) and returns their {@code location} column value. The array may be reused once
         * this returns. Storing bytes the lake already holds is allowed and must not fail.
         */
        String store(byte[] bytes, int length, Path spill, String sha256) throws IOException;
    }

    /**
     * What became of one entry: {@code values} in {@link InstanceColumns} order (quarantined entries fill only
     * source, size, sha256, SOP Instance UID, project, site, run id and time), and for a refused entry its quarantine
     * {@code reason} and {@code detail} (both null for an accepted instance).
     */
    record Outcome(Object[] values, String reason, String detail) {
        Object get(String column) {
            return values[InstanceColumns.index(column)];
        }

        String string(String column) {
            return (String) get(column);
        }

        boolean accepted() {
            return reason == null;
        }
    }

    private static final int I_SOURCE = InstanceColumns.index(Instances.SOURCE_URI);
    private static final int I_SIZE = InstanceColumns.index(Instances.SIZE_BYTES);
    private static final int I_SHA = InstanceColumns.index(Instances.SHA256);
    private static final int I_SOP = InstanceColumns.index(Instances.SOP_INSTANCE_UID);
    private static final int I_PROJECT = InstanceColumns.index(Instances.PROJECT);
    private static final int I_SITE = InstanceColumns.index(Instances.SITE);
    private static final int I_RUN = InstanceColumns.index(Instances.RUN_ID);
    private static final int I_AT = InstanceColumns.index(Instances.INGESTED_AT);
    private static final int I_LOCATION = InstanceColumns.index(Instances.LOCATION);
    private static final int I_JSON = InstanceColumns.index(Instances.HEADER_JSON);

    private final String site;
    private final String runId;
    private final boolean inPlace;
    private final IngestDeidentifier deidentifier;
    private final RoutingRules rules;
    private final ObjectSink sink;
    private final Path tmpDir;
    private final Configuration conf;
    private final MessageDigest md = sha256();

    /** The parts of an {@link IngestRequest} the per-entry work needs (serializable, for Spark tasks). */
    record Settings(String site, boolean inPlace, String deidSecret, RoutingRules rules) implements java.io.Serializable {
        static Settings of(IngestRequest r) {
            return new Settings(r.site(), r.inPlace() && r.deidSecret() == null, r.deidSecret(), r.rules());
        }
    }

    /**
     * @param tmpDir  where entries too large for memory are spilled (the run's scratch folder)
     * @param conf    Hadoop settings for sources on non-local file systems (may be null when every source is local)
     */
    EntryIngester(Settings settings, String runId, ObjectSink sink, Path tmpDir, Configuration conf) {
        this.site = settings.site();
        this.runId = runId;
        this.inPlace = settings.inPlace();
        this.deidentifier = settings.deidSecret() == null ? null : new IngestDeidentifier(settings.deidSecret());
        this.rules = settings.rules();
        this.sink = sink;
        this.tmpDir = tmpDir;
        this.conf = conf;
    }

    /**
     * Ingests every entry of one work item, handing one outcome per entry to {@code out}. An unreadable file or a
     * corrupt archive gives an UNREADABLE or TRUNCATED outcome instead of an exception.
     *
     * @param item a source file URI, or {@code fileUri + RECORDED_AS + sourceUri} for a staged file
     */
    void ingestItem(String item, Consumer<Outcome> out) {
        int tab = item.indexOf(RECORDED_AS);
        String file = tab < 0 ? item : item.substring(0, tab);
        String uri = tab < 0 ? item : item.substring(tab + 1);
        int[] entries = {0};
        try {
            SourceReader.forEachEntry(file, conf, (entryUri, in, size, inPlaceUri) -> {
                out.accept(ingest(uri + entryUri.substring(file.length()), in, tab < 0 ? inPlaceUri : null));
                entries[0]++;
            });
        } catch (IOException | RuntimeException e) {
            boolean partial = entries[0] > 0;
            out.accept(quarantine(uri, null, null, partial ? "TRUNCATED" : "UNREADABLE", (partial
                    ? "Archive " + uri + " is corrupt after " + entries[0] + " readable entries: " + e
                    + ". The entries before the damage were ingested. Fix: re-create the archive and re-ingest it."
                    : "Cannot read source file " + uri + ": " + e
                    + ". Fix: check that it is readable by the ingest process and re-run the ingest."), null));
        }
    }

    private Outcome ingest(String uri, InputStream in, String inPlaceUri) throws IOException {
        Path spill = null;
        try {
            md.reset();
            byte[] bytes = null;
            long size;
            byte[] head;
            int headLength;
            if (in instanceof SourceReader.WholeFile whole) {
                head = whole.bytes(); // the reader's buffer: nothing below keeps it past this entry
                headLength = whole.length();
            } else {
                head = in.readNBytes(IN_MEMORY_LIMIT);
                headLength = head.length;
            }
            if (deidentifier != null && headLength < IN_MEMORY_LIMIT) {
                head = java.util.Arrays.copyOf(head, headLength);
                try {
                    head = deidentifier.apply(head);
                    headLength = head.length;
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
            if (headLength < IN_MEMORY_LIMIT) {
                bytes = head;
                md.update(bytes, 0, headLength);
                size = headLength;
            } else {
                spill = tmpDir.resolve(runId + "-" + UUID.randomUUID() + ".part");
                try (OutputStream os = new DigestOutputStream(Files.newOutputStream(spill), md)) {
                    os.write(head, 0, headLength);
                    size = headLength + in.transferTo(os);
                }
            }
            String sha = HexFormat.of().formatHex(md.digest());
            InstanceHeader h;
            try {
                h = bytes != null ? DicomReader.read(bytes, headLength, uri) : DicomReader.read(spill);
            } catch (DicomReadException e) {
                String detail = spill == null ? e.getMessage() : e.getMessage().replace(spill.toString(), uri);
                if (e.reason() == DicomReadException.Reason.MISSING_UID && isDicomdir(uri, bytes, headLength)) {
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
                location = sink.store(bytes, headLength, spill, sha);
                spill = null; // the sink owns it now
            }
            Object[] v = new Object[InstanceColumns.width()];
            Object[] header = h.columnValues();
            System.arraycopy(header, 0, v, 0, header.length); // the instances table starts with the header columns
            v[I_JSON] = h.headerJson();
            v[I_SITE] = site;
            v[I_LOCATION] = location;
            v[I_SOURCE] = uri;
            v[I_SIZE] = size;
            v[I_SHA] = sha;
            v[I_RUN] = runId;
            v[I_AT] = Instant.now();
            v[I_PROJECT] = route(h, uri);
            return new Outcome(v, null, null);
        } finally {
            if (spill != null) {
                Files.deleteIfExists(spill);
            }
        }
    }

    private String route(InstanceHeader h, String uri) {
        if (rules.rules().isEmpty()) {
            return rules.defaultProject(); // no rules to evaluate: skip building the facts
        }
        Map<String, Object> facts = new HashMap<>();
        h.toColumns().forEach((k, v) -> {
            if (v instanceof String) {
                facts.put(k, v);
            }
        });
        facts.put(Instances.HEADER_JSON, h.headerJson());
        facts.put("source", uri);
        facts.put("site", site);
        facts.put("calling_ae", RoutingRules.callingAe(uri));
        return rules.route(facts);
    }

    private static boolean isReadableDicom(byte[] bytes, String uri) {
        try {
            DicomReader.read(bytes, bytes.length, uri);
            return true;
        } catch (DicomException e) {
            return false;
        }
    }

    /** The Media Storage Directory SOP Class, which a DICOMDIR declares in its file meta information. */
    private static final byte[] DICOMDIR_CLASS = "1.2.840.10008.1.3.10".getBytes(StandardCharsets.US_ASCII);

    private static boolean isDicomdir(String uri, byte[] bytes, int length) {
        if (uri.toUpperCase(Locale.ROOT).endsWith("DICOMDIR")) {
            return true;
        }
        if (bytes == null) {
            return false;
        }
        // Look for the class UID in the file meta information (the first few hundred bytes), padded or ended.
        int end = Math.min(length, 1024) - DICOMDIR_CLASS.length;
        for (int i = 128; i < end; i++) {
            if (java.util.Arrays.equals(bytes, i, i + DICOMDIR_CLASS.length, DICOMDIR_CLASS, 0, DICOMDIR_CLASS.length)) {
                int next = i + DICOMDIR_CLASS.length < length ? bytes[i + DICOMDIR_CLASS.length] : 0;
                if (next < '0' || next > '9') {
                    return true;
                }
            }
        }
        return false;
    }

    private Outcome quarantine(String uri, Long size, String sha, String reason, String detail, String sop) {
        Object[] v = new Object[InstanceColumns.width()];
        v[I_SOURCE] = uri;
        v[I_SIZE] = size;
        v[I_SHA] = sha;
        v[I_SOP] = sop;
        v[I_PROJECT] = rules.defaultProject();
        v[I_SITE] = site;
        v[I_RUN] = runId;
        v[I_AT] = Instant.now();
        return new Outcome(v, reason, detail);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }
}
