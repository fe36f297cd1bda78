package org.medlake.server.audit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.Tables;

/**
 * Verifies the hash chain of a lake's audit trail: the rows of {@code audit_log} (read with Delta Kernel from the
 * latest snapshot), followed by the entries still in pending files that are not in the table yet.
 *
 * <p>The chain holds when, sorted by {@code seq}, the entries are numbered 1, 2, 3 ... without gap or duplicate,
 * each {@code prev_hash} equals the previous entry's {@code hash} ({@link AuditEntry#GENESIS} for the first) and
 * each {@code hash} equals {@link AuditEntry#computeHash()} of the row as stored. A changed value, a removed,
 * inserted or duplicated row, or a forged commit with recomputed hashes for only some rows is reported as the
 * first entry where the chain breaks. (Rewriting the whole tail with recomputed hashes is detectable only against
 * a head hash kept elsewhere: the server logs the head after every commit on logger {@code medlake.audit}.)
 */
public final class AuditVerifier {
    private AuditVerifier() {}

    /**
     * The outcome of a verification.
     *
     * @param ok        whether the chain verifies
     * @param entries   entries checked (table rows plus pending ones)
     * @param pending   of these, entries only in pending files
     * @param headSeq   seq of the last good entry (0 if none)
     * @param headHash  hash of the last good entry ({@link AuditEntry#GENESIS} if none)
     * @param badSeq    seq of the first bad entry, or -1
     * @param badEntryId entry id of the first bad entry, or null
     * @param problem   what is wrong with it, or null
     */
    public record Result(boolean ok, long entries, long pending, long headSeq, String headHash, long badSeq,
                         String badEntryId, String problem) {}

    /** Verifies the audit trail of {@code lake}. An absent table and no pending files is an empty, valid chain. */
    public static Result verify(LakeLayout lake, DeltaTableReader reader) {
        List<AuditEntry> all = new ArrayList<>(tableEntries(reader, lake.table(Tables.AUDIT_LOG)));
        all.sort(Comparator.comparingLong(AuditEntry::seq));
        Set<String> ids = new HashSet<>();
        all.forEach(e -> ids.add(e.entryId()));
        long pending = 0;
        for (AuditEntry e : AuditLog.pendingEntries(lake)) {
            if (!ids.contains(e.entryId())) {
                all.add(e);
                pending++;
            }
        }
        return verify(all, pending);
    }

    /** Verifies {@code entries} in the given order (must be sorted by seq). */
    static Result verify(List<AuditEntry> entries, long pending) {
        long expected = 1;
        String prev = AuditEntry.GENESIS;
        for (AuditEntry e : entries) {
            String problem = null;
            if (e.seq() != expected) {
                problem = e.seq() < expected ? "seq " + e.seq() + " appears twice" : "entries " + expected + ".."
                        + (e.seq() - 1) + " are missing";
            } else if (!prev.equals(e.prevHash())) {
                problem = "prev_hash " + e.prevHash() + " is not the hash of entry " + (expected - 1) + " (" + prev + ")";
            } else {
                String h = e.computeHash();
                if (!h.equals(e.hash())) {
                    problem = "stored hash " + e.hash() + " does not match its content (recomputed " + h
                            + "): the row was modified";
                }
            }
            if (problem != null) {
                return new Result(false, entries.size(), pending, expected - 1, prev, e.seq(), e.entryId(), problem);
            }
            prev = e.hash();
            expected++;
        }
        return new Result(true, entries.size(), pending, expected - 1, prev, -1, null, null);
    }

    /** Every row of the audit table at {@code table} (empty when absent). */
    static List<AuditEntry> tableEntries(DeltaTableReader reader, Path table) {
        List<AuditEntry> out = new ArrayList<>();
        reader.read(table, AuditEntry.COLUMNS).ifPresent(d -> {
            for (Map<String, Object> r : d.rows()) {
                out.add(AuditEntry.fromRow(r));
            }
        });
        return out;
    }
}
