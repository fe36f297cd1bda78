package org.medlake.server.audit;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.medlake.cohort.delta.DeltaTableAppender;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.Tables;
import org.medlake.server.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's audit trail: hash-chained {@link AuditEntry entries} appended to the lake's {@code audit_log} Delta
 * table by a background writer, so requests are not slowed by Delta commits, and never dropped.
 *
 * <p><b>Durability.</b> {@link #record} assigns the next {@code seq}, chains the entry to the previous hash and
 * appends it as one JSON line to the current pending file {@code LAKE/.audit/pending-<first seq>.jsonl} (written
 * through to the OS before {@code record} returns). The writer ({@link #flush}, every {@code flushInterval} and on
 * {@link #close}) closes the current file and appends each closed pending file, oldest first, in one Delta Kernel
 * commit, then deletes it. When Delta is unavailable the files stay and are retried on the next flush, in order,
 * so the table's rows stay in {@code seq} order. After a failed or uncertain commit, and at start (a crash may fall
 * between commit and delete), entries whose {@code entry_id} is already in the table are skipped: reconciliation is
 * idempotent. A line torn by a crash is skipped with a warning (its request never got an answer).
 *
 * <p>One server writes the audit log of a lake (the chain is sequential): the log holds a lock on
 * {@code LAKE/.audit/writer.lock} while open, and a second one fails with {@link ApiException} (409). Thread-safe.
 */
public final class AuditLog implements AutoCloseable {
    /** Folder of pending files, relative to the lake root. */
    public static final String PENDING_DIR = ".audit";
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final Logger AUDIT = LoggerFactory.getLogger("medlake.audit");

    private final LakeLayout lake;
    private final Path dir;
    private final Path table;
    private final DeltaTableAppender appender;
    private final DeltaTableReader reader;
    private final Object recordLock = new Object();
    private final Object flushLock = new Object();
    private final ScheduledExecutorService writer;
    private long lastSeq;
    private String lastHash;
    private BufferedWriter current;
    /** Highest seq known to be in the table; -1 = unknown (read the table before appending). */
    private long committedSeq = -1;
    private volatile boolean closed;
    private final java.nio.channels.FileChannel lockChannel;
    private final java.nio.channels.FileLock writerLock;

    /**
     * Opens the audit log of {@code lake}: continues the chain from the pending files, else from the table, and
     * starts the background writer ({@code flushInterval} zero or negative: no background writer, flush by hand).
     *
     * @throws UncheckedIOException when the pending folder cannot be created or read
     */
    public AuditLog(LakeLayout lake, DeltaTableAppender appender, DeltaTableReader reader, Duration flushInterval) {
        this.lake = Objects.requireNonNull(lake);
        this.appender = Objects.requireNonNull(appender);
        this.reader = Objects.requireNonNull(reader);
        this.dir = lake.root().resolve(PENDING_DIR);
        this.table = lake.table(Tables.AUDIT_LOG);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the audit folder " + dir + ": " + e.getMessage()
                    + ". The lake folder must be writable by the server.", e);
        }
        // The chain's head: the highest seq in the table or in pending files (a stale pending file may be older).
        // One writer per lake: a second chain from the same head would fork it.
        try {
            lockChannel = java.nio.channels.FileChannel.open(dir.resolve("writer.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            java.nio.channels.FileLock l;
            try {
                l = lockChannel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                lockChannel.close();
                throw new ApiException(ApiException.ErrorCode.USER_ERROR, 409, "Another medlake server already writes the "
                        + "audit log of the lake " + lake.root() + " (lock " + dir.resolve("writer.lock") + " is held), and "
                        + "two writers would fork its hash chain. Stop the other server, or serve this lake from one server only.");
            }
            writerLock = l;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot lock the audit folder " + dir + ": " + e.getMessage()
                    + ". The lake folder must be writable by the server.", e);
        }
        AuditEntry head = AuditVerifier.tableEntries(reader, table).stream()
                .max(Comparator.comparingLong(AuditEntry::seq)).orElse(null);
        for (Path file : pendingFiles()) {
            for (AuditEntry e : readPending(file)) {
                if (head == null || e.seq() > head.seq()) {
                    head = e;
                }
            }
        }
        this.lastSeq = head == null ? 0 : head.seq();
        this.lastHash = head == null ? AuditEntry.GENESIS : head.hash();
        if (flushInterval != null && !flushInterval.isZero() && !flushInterval.isNegative()) {
            writer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "medlake-audit-writer");
                t.setDaemon(true);
                return t;
            });
            long ms = flushInterval.toMillis();
            writer.scheduleWithFixedDelay(this::flushQuietly, ms, ms, TimeUnit.MILLISECONDS);
        } else {
            writer = null;
        }
    }

    /**
     * Chains and durably queues one entry (see the class comment) and returns it.
     *
     * @throws UncheckedIOException when the pending file cannot be written: the request must then fail, because
     *         its audit entry could not be kept
     */
    public AuditEntry record(AuditEntry.Draft draft) {
        synchronized (recordLock) {
            AuditEntry e = AuditEntry.chain(draft, UUID.randomUUID().toString(), lastSeq + 1, lastHash);
            try {
                if (current == null) {
                    Path file = dir.resolve(String.format("pending-%020d.jsonl", e.seq()));
                    current = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                }
                current.write(e.toJsonLine());
                current.write('\n');
                current.flush();
            } catch (IOException ex) {
                throw new UncheckedIOException("Cannot write audit entry " + e.seq() + " to " + dir + ": "
                        + ex.getMessage() + ". Free disk space or fix the permissions of the lake folder.", ex);
            }
            lastSeq = e.seq();
            lastHash = e.hash();
            return e;
        }
    }

    /**
     * Appends every pending entry to the {@code audit_log} table now (synchronously), oldest file first.
     *
     * @return true when nothing is pending any more; false when Delta failed (the files stay for the next flush)
     */
    public boolean flush() {
        synchronized (flushLock) {
            List<Path> closedFiles;
            synchronized (recordLock) {
                closeCurrent();
                closedFiles = pendingFiles(); // all closed now; later records open a new file not in this list
            }
            Set<String> committedIds = null;
            for (Path file : closedFiles) {
                List<AuditEntry> entries = readPending(file);
                try {
                    if (committedSeq < 0 || !entries.isEmpty() && entries.get(0).seq() <= committedSeq) {
                        // Uncertain state (start, or after a failed commit) or a file older than the table's head:
                        // skip what the table already has (idempotent reconciliation).
                        if (committedIds == null) {
                            committedIds = new HashSet<>();
                            long max = 0;
                            for (AuditEntry e : AuditVerifier.tableEntries(reader, table)) {
                                committedIds.add(e.entryId());
                                max = Math.max(max, e.seq());
                            }
                            committedSeq = max;
                        }
                        Set<String> ids = committedIds;
                        entries = entries.stream().filter(x -> !ids.contains(x.entryId())).toList();
                    }
                    if (!entries.isEmpty()) {
                        List<Map<String, Object>> rows = new ArrayList<>(entries.size());
                        entries.forEach(x -> rows.add(x.row()));
                        appender.append(table, AuditEntry.SCHEMA, rows);
                        AuditEntry last = entries.get(entries.size() - 1);
                        committedSeq = Math.max(committedSeq, last.seq());
                        if (committedIds != null) {
                            for (AuditEntry x : entries) {
                                committedIds.add(x.entryId());
                            }
                        }
                        AUDIT.info("audit_log head seq={} hash={}", last.seq(), last.hash());
                    }
                    Files.deleteIfExists(file);
                } catch (RuntimeException | IOException e) {
                    committedSeq = -1;
                    LOG.warn("Audit entries in {} not yet in Delta ({}); kept, retried on the next flush", file, e.toString());
                    return false;
                }
            }
            return true;
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("audit flush failed: {}", e.toString());
        }
    }

    /** Number of the last recorded entry (0 when none). */
    public long lastSeq() {
        synchronized (recordLock) {
            return lastSeq;
        }
    }

    /** The lake this log belongs to. */
    public LakeLayout lake() {
        return lake;
    }

    /** The audit table's folder. */
    public Path table() {
        return table;
    }

    /** Stops the writer and flushes; entries Delta does not take stay in the pending files. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (writer != null) {
            writer.shutdown();
            try {
                writer.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flushQuietly();
        synchronized (recordLock) {
            closeCurrent();
        }
        try {
            writerLock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("releasing the audit writer lock failed: {}", e.toString());
        }
    }

    private void closeCurrent() {
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                LOG.warn("closing the audit pending file failed: {}", e.toString());
            }
            current = null;
        }
    }

    /** Pending files, oldest first. */
    List<Path> pendingFiles() {
        return pendingFiles(dir);
    }

    static List<Path> pendingFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("pending-\\d+\\.jsonl")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the audit folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The complete entries of a pending file; a torn line (crash while writing) is skipped with a warning. */
    static List<AuditEntry> readPending(Path file) {
        List<AuditEntry> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the audit pending file " + file + ": " + e.getMessage(), e);
        }
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(AuditEntry.fromJsonLine(line));
            } catch (Exception e) {
                LoggerFactory.getLogger(AuditLog.class).warn("skipping a torn line in {}: {}", file, e.toString());
            }
        }
        return out;
    }

    /** The pending entries (not yet in Delta) of a lake, oldest first. */
    public static List<AuditEntry> pendingEntries(LakeLayout lake) {
        List<AuditEntry> out = new ArrayList<>();
        for (Path f : pendingFiles(lake.root().resolve(PENDING_DIR))) {
            out.addAll(readPending(f));
        }
        return out;
    }

    /** For tests: whether entries wait in pending files. */
    Optional<Path> firstPending() {
        return pendingFiles().stream().findFirst();
    }
}
