package org.medlake.server.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.lake.LakeLayout;

/**
 * Command line: {@code audit verify --lake DIR [--json]}. Verifies the hash chain of the lake's audit trail
 * ({@link AuditVerifier}). Exit code 0 when the chain verifies, 1 when it does not (the output names the first bad
 * entry: its seq, entry id and what is wrong), 2 on bad arguments or an unreadable lake.
 */
public final class AuditMain {
    private AuditMain() {}

    static final String USAGE = "usage: audit verify --lake DIR [--json]";

    public static void main(String[] args) {
        System.setProperty("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
        System.setProperty("log4j2.simplelogLevel", "WARN");
        System.exit(run(args));
    }

    /** Runs the command and returns its exit code. */
    public static int run(String[] args) {
        String lake = null;
        boolean json = false;
        int i = args.length > 0 && args[0].equals("audit") ? 1 : 0;
        if (i < args.length && (args[i].equals("--help") || args[i].equals("-h"))) {
            System.out.println(USAGE);
            return 0;
        }
        if (i >= args.length || !args[i].equals("verify")) {
            System.err.println("error: unknown or missing subcommand\n" + USAGE);
            return 2;
        }
        for (i++; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "--lake" -> {
                    if (i + 1 >= args.length) {
                        System.err.println("error: --lake needs a value\n" + USAGE);
                        return 2;
                    }
                    lake = args[++i];
                }
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return 0;
                }
                default -> {
                    System.err.println("error: unknown argument '" + args[i] + "'\n" + USAGE);
                    return 2;
                }
            }
        }
        if (lake == null || !Files.isDirectory(Path.of(lake))) {
            System.err.println("error: " + (lake == null ? "--lake DIR is required" : "lake folder " + lake
                    + " does not exist; pass the folder the server serves") + "\n" + USAGE);
            return 2;
        }
        AuditVerifier.Result r = AuditVerifier.verify(LakeLayout.at(Path.of(lake)), new DeltaTableReader());
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", r.ok());
            m.put("entries", r.entries());
            m.put("pending", r.pending());
            m.put("head_seq", r.headSeq());
            m.put("head_hash", r.headHash());
            m.put("bad_seq", r.ok() ? null : r.badSeq());
            m.put("bad_entry_id", r.badEntryId());
            m.put("problem", r.problem());
            try {
                System.out.println(new ObjectMapper().writeValueAsString(m));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        } else if (r.ok()) {
            System.out.println("audit chain OK: " + r.entries() + " entries (" + r.pending() + " pending), head seq "
                    + r.headSeq() + " hash " + r.headHash());
        } else {
            System.out.println("audit chain BROKEN at entry seq " + r.badSeq() + " (entry_id " + r.badEntryId() + "): "
                    + r.problem() + ". Entries 1.." + r.headSeq() + " verify (head hash " + r.headHash() + "). "
                    + "Restore the table from a backup or investigate who wrote to " + lake + "/tables/audit_log.");
        }
        return r.ok() ? 0 : 1;
    }
}
