package org.medlake.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One row of the lake's {@code audit_log} table (docs/lake-tables.md): who did what, when, through which client, on
 * which project/cohort/series/instances, with which query, the HTTP status and the bytes served; plus the chain
 * members {@code seq}, {@code prev_hash} and {@code hash}.
 *
 * <p><b>Hash chain.</b> {@code hash = hex(SHA-256(prev_hash + "\n" + canonical))} where {@code canonical} is
 * {@link #canonicalJson()}: the compact JSON object of every column except {@code hash}, in schema order, with
 * {@code at} as an ISO-8601 instant truncated to microseconds (Delta TIMESTAMP precision), so a row read back from
 * Delta hashes to the same value. The first entry's {@code prev_hash} is {@link #GENESIS} (64 zeros) and
 * {@code seq} counts 1, 2, 3 ... without gaps. Editing, removing, inserting or reordering rows breaks the chain.
 */
public record AuditEntry(String entryId, long seq, Instant at, String user, String subject, String clientId,
                         String action, String method, String path, String project, String cohort,
                         List<String> seriesInstanceUids, List<String> sopInstanceUids, String query, Integer status,
                         Long bytes, String remoteAddr, String prevHash, String hash) {
    /** {@code prev_hash} of the first entry. */
    public static final String GENESIS = "0".repeat(64);

    public static final String ENTRY_ID = "entry_id";
    public static final String SEQ = "seq";
    public static final String AT = "at";
    public static final String USER = "user";
    public static final String SUBJECT = "subject";
    public static final String CLIENT_ID = "client_id";
    public static final String ACTION = "action";
    public static final String METHOD = "method";
    public static final String PATH = "path";
    public static final String PROJECT = "project";
    public static final String COHORT = "cohort";
    public static final String SERIES = "series_instance_uids";
    public static final String INSTANCES = "sop_instance_uids";
    public static final String QUERY = "query";
    public static final String STATUS = "status";
    public static final String BYTES = "bytes";
    public static final String REMOTE_ADDR = "remote_addr";
    public static final String PREV_HASH = "prev_hash";
    public static final String HASH = "hash";

    /** The Delta schema of {@code audit_log}. */
    public static final StructType SCHEMA = new StructType()
            .add(ENTRY_ID, StringType.STRING, false)
            .add(SEQ, LongType.LONG, false)
            .add(AT, TimestampType.TIMESTAMP, false)
            .add(USER, StringType.STRING)
            .add(SUBJECT, StringType.STRING)
            .add(CLIENT_ID, StringType.STRING)
            .add(ACTION, StringType.STRING, false)
            .add(METHOD, StringType.STRING)
            .add(PATH, StringType.STRING)
            .add(PROJECT, StringType.STRING)
            .add(COHORT, StringType.STRING)
            .add(SERIES, new ArrayType(StringType.STRING, true))
            .add(INSTANCES, new ArrayType(StringType.STRING, true))
            .add(QUERY, StringType.STRING)
            .add(STATUS, IntegerType.INTEGER)
            .add(BYTES, LongType.LONG)
            .add(REMOTE_ADDR, StringType.STRING)
            .add(PREV_HASH, StringType.STRING, false)
            .add(HASH, StringType.STRING, false);

    /** Every column, in schema order. */
    public static final List<String> COLUMNS = SCHEMA.fieldNames();

    private static final ObjectMapper JSON = new ObjectMapper();

    public AuditEntry {
        Objects.requireNonNull(entryId, "entryId");
        at = Objects.requireNonNull(at, "at").truncatedTo(ChronoUnit.MICROS);
        Objects.requireNonNull(action, "action");
        seriesInstanceUids = seriesInstanceUids == null ? List.of() : List.copyOf(seriesInstanceUids);
        sopInstanceUids = sopInstanceUids == null ? List.of() : List.copyOf(sopInstanceUids);
        Objects.requireNonNull(prevHash, "prevHash");
    }

    /** What a request contributes; the log adds id, seq and the chain. */
    public record Draft(Instant at, String user, String subject, String clientId, String action, String method,
                        String path, String project, String cohort, List<String> seriesInstanceUids,
                        List<String> sopInstanceUids, String query, Integer status, Long bytes, String remoteAddr) {}

    /** The entry that follows {@code prevHash} as number {@code seq}, with its hash computed. */
    static AuditEntry chain(Draft d, String entryId, long seq, String prevHash) {
        AuditEntry unhashed = new AuditEntry(entryId, seq, d.at(), d.user(), d.subject(), d.clientId(), d.action(),
                d.method(), d.path(), d.project(), d.cohort(), d.seriesInstanceUids(), d.sopInstanceUids(), d.query(),
                d.status(), d.bytes(), d.remoteAddr(), prevHash, "");
        return unhashed.withHash(unhashed.computeHash());
    }

    private AuditEntry withHash(String h) {
        return new AuditEntry(entryId, seq, at, user, subject, clientId, action, method, path, project, cohort,
                seriesInstanceUids, sopInstanceUids, query, status, bytes, remoteAddr, prevHash, h);
    }

    /** The canonical bytes that are hashed: every column but {@code hash}, compact JSON in schema order. */
    public String canonicalJson() {
        Map<String, Object> m = new LinkedHashMap<>(row());
        m.remove(HASH);
        m.put(AT, at.toString());
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit entry not serializable", e);
        }
    }

    /** {@code hex(SHA-256(prev_hash + "\n" + canonicalJson()))}. */
    public String computeHash() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prevHash.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
            sha.update(canonicalJson().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** The Delta row, keyed by column (values as {@code DeltaTableAppender} takes them). */
    public Map<String, Object> row() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put(ENTRY_ID, entryId);
        r.put(SEQ, seq);
        r.put(AT, at);
        r.put(USER, user);
        r.put(SUBJECT, subject);
        r.put(CLIENT_ID, clientId);
        r.put(ACTION, action);
        r.put(METHOD, method);
        r.put(PATH, path);
        r.put(PROJECT, project);
        r.put(COHORT, cohort);
        r.put(SERIES, seriesInstanceUids);
        r.put(INSTANCES, sopInstanceUids);
        r.put(QUERY, query);
        r.put(STATUS, status);
        r.put(BYTES, bytes);
        r.put(REMOTE_ADDR, remoteAddr);
        r.put(PREV_HASH, prevHash);
        r.put(HASH, hash);
        return r;
    }

    /** The entry as one JSON line of a pending file (the row with {@code at} as ISO-8601). */
    public String toJsonLine() {
        Map<String, Object> m = row();
        m.put(AT, at.toString());
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit entry not serializable", e);
        }
    }

    /** Parses a line written by {@link #toJsonLine()}. */
    public static AuditEntry fromJsonLine(String line) throws JsonProcessingException {
        JsonNode n = JSON.readTree(line);
        Map<String, Object> m = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> m.put(e.getKey(), plain(e.getValue())));
        m.put(AT, Instant.parse(n.path(AT).asText()));
        return fromRow(m);
    }

    private static Object plain(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isArray()) {
            List<String> out = new ArrayList<>();
            v.forEach(x -> out.add(x.isNull() ? null : x.asText()));
            return out;
        }
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        return v.asText();
    }

    /** An entry from a row read back from Delta (or a parsed pending line). */
    @SuppressWarnings("unchecked")
    public static AuditEntry fromRow(Map<String, Object> r) {
        return new AuditEntry((String) r.get(ENTRY_ID), ((Number) r.get(SEQ)).longValue(), (Instant) r.get(AT),
                (String) r.get(USER), (String) r.get(SUBJECT), (String) r.get(CLIENT_ID), (String) r.get(ACTION),
                (String) r.get(METHOD), (String) r.get(PATH), (String) r.get(PROJECT), (String) r.get(COHORT),
                (List<String>) r.get(SERIES), (List<String>) r.get(INSTANCES), (String) r.get(QUERY),
                r.get(STATUS) == null ? null : ((Number) r.get(STATUS)).intValue(),
                r.get(BYTES) == null ? null : ((Number) r.get(BYTES)).longValue(), (String) r.get(REMOTE_ADDR),
                (String) r.get(PREV_HASH), (String) r.get(HASH));
    }
}
