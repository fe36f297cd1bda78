package org.medlake.curation.deid;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import org.apache.hadoop.conf.Configuration;
import org.medlake.curation.CurationException;
import org.medlake.curation.ErrorCode;
import org.medlake.deid.DeidChecker;
import org.medlake.deid.DeidException;
import org.medlake.deid.DeidProfile;
import org.medlake.deid.DeidReport;
import org.medlake.deid.Finding;
import org.medlake.ingest.source.SourceListing;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code deid-check} command: checks every DICOM entry under the given paths (folders recursively, zip/tar/tgz
 * members, {@code .dcm.gz}) with {@link DeidChecker} and prints one verdict per entry.
 *
 * <pre>
 * deid-check PATH... [--profile FILE] [--json]
 * </pre>
 *
 * Default output is a table: one line {@code STATUS  N_FINDINGS  PATH  SOP_INSTANCE_UID} per entry, each finding
 * indented below it, then a summary line. With {@code --json}, one JSON object per line:
 * {@code {"path":..., "sop_instance_uid":..., "status":..., "findings":[{"severity","tag","keyword","location","rule",
 * "basis","reason","hint"}]}}; entries that are not DICOM get {@code "status":"NOT_DICOM"} and those that fail to
 * parse {@code "status":"ERROR"}, both with a {@code "reason"}. Identifying values are never printed.
 *
 * <p>Exit codes: 0 every DICOM entry PASSes; 1 at least one FAIL or ERROR; 3 no FAIL but at least one REVIEW
 * (a human has to look, which a pipeline must not mistake for a pass); 2 usage or input errors (usage on stderr).
 * NOT_DICOM entries are reported but do not change the exit code.
 */
public final class DeidCheckMain {
    static final String USAGE = "usage: deid-check PATH... [--profile FILE] [--json]\n"
            + "  Checks DICOM files (folders, zip/tar/tgz, .dcm.gz) against PS3.15 Annex E de-identification.\n"
            + "  --profile FILE  use this de-id profile JSON instead of the built-in deid-profile-v1.json\n"
            + "  --json          one JSON line per file instead of a table\n"
            + "  exit: 0 all PASS, 1 any FAIL/ERROR, 3 REVIEW without FAIL, 2 usage error";

    /** Outcome of one entry, including the non-DICOM ones. */
    enum EntryStatus { PASS, REVIEW, FAIL, NOT_DICOM, ERROR }

    private DeidCheckMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code instead of exiting. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> paths = new ArrayList<>();
        String profileFile = null;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--json" -> json = true;
                case "--profile" -> {
                    if (i + 1 >= args.length) {
                        return usage(err, "--profile needs a FILE");
                    }
                    profileFile = args[++i];
                }
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> {
                    if (a.startsWith("--")) {
                        return usage(err, "unknown option " + a);
                    }
                    paths.add(a);
                }
            }
        }
        if (paths.isEmpty()) {
            return usage(err, "no PATH given");
        }
        DeidChecker checker;
        try {
            checker = new DeidChecker(profileFile == null ? DeidProfile.builtIn() : DeidProfile.load(Path.of(profileFile)));
        } catch (DeidException e) {
            err.println("deid-check: " + e.getMessage());
            return e.code().exitCode();
        }
        Map<EntryStatus, Integer> counts = new EnumMap<>(EntryStatus.class);
        ObjectMapper mapper = new ObjectMapper();
        final boolean asJson = json;
        try {
            SourceListing.forEachEntry(new Configuration(), paths, (entryUri, in, size, inPlaceUri) -> {
                EntryStatus s = checkEntry(checker, entryUri, in, asJson, mapper, out);
                counts.merge(s, 1, Integer::sum);
            });
        } catch (CurationException e) {
            err.println("deid-check: " + e.getMessage());
            return e.code().exitCode();
        } catch (IOException e) {
            err.println("deid-check: cannot read the sources: " + e + ". Fix: check the paths and permissions.");
            return ErrorCode.CURATION_EXTERNAL.exitCode();
        } catch (org.medlake.ingest.IngestException e) {
            // SourceListing reports a missing or unlistable path with ingest's own exception.
            err.println("deid-check: " + e.getMessage());
            if (e.category() == org.medlake.ingest.ErrorCode.Category.USER_ERROR) {
                err.println(USAGE);
                return 2;
            }
            return 1;
        }
        if (!asJson) {
            out.println("summary: " + counts.values().stream().mapToInt(Integer::intValue).sum() + " entries; "
                    + String.join(", ", counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList()));
        }
        if (counts.getOrDefault(EntryStatus.FAIL, 0) + counts.getOrDefault(EntryStatus.ERROR, 0) > 0) {
            return 1;
        }
        return counts.getOrDefault(EntryStatus.REVIEW, 0) > 0 ? 3 : 0;
    }

    private static int usage(PrintStream err, String problem) {
        err.println("deid-check: " + problem);
        err.println(USAGE);
        return 2;
    }

    private static EntryStatus checkEntry(DeidChecker checker, String uri, InputStream in, boolean json, ObjectMapper mapper,
            PrintStream out) throws IOException {
        BufferedInputStream b = new BufferedInputStream(in, 1 << 16);
        if (!looksLikeDicom(b)) {
            print(out, json, mapper, uri, EntryStatus.NOT_DICOM, "", "no DICM preamble and no DICOM tag at the start", null);
            return EntryStatus.NOT_DICOM;
        }
        AttributeList list = new AttributeList();
        try {
            byte[] bytes = b.readAllBytes();
            list.read(new DicomInputStream(new ByteArrayInputStream(bytes)));
            // PixelMed stops quietly at a premature end; with no data set at all there is nothing to vouch for.
            if (list.keySet().stream().allMatch(t -> t.isFileMetaInformationGroup())) {
                throw new IOException("no data set elements after the file meta information (truncated or empty)");
            }
        } catch (Exception e) {
            // A damaged file must not stop the run; report it and go on.
            print(out, json, mapper, uri, EntryStatus.ERROR, "", "cannot parse as DICOM: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), null);
            return EntryStatus.ERROR;
        }
        DeidReport r = checker.check(list);
        EntryStatus s = EntryStatus.valueOf(r.status().name());
        print(out, json, mapper, uri, s, r.sopInstanceUid(), null, r);
        return s;
    }

    /** A Part-10 preamble with DICM, or a raw dataset starting with a little-endian group 0002 or 0008 tag. */
    static boolean looksLikeDicom(BufferedInputStream in) throws IOException {
        in.mark(200);
        byte[] head = in.readNBytes(132);
        in.reset();
        if (head.length >= 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M') {
            return true;
        }
        return head.length >= 8 && (head[0] == 0x02 || head[0] == 0x08) && head[1] == 0x00;
    }

    private static void print(PrintStream out, boolean json, ObjectMapper mapper, String uri, EntryStatus status, String sop,
            String reason, DeidReport report) throws IOException {
        if (json) {
            ObjectNode o = mapper.createObjectNode();
            o.put("path", uri);
            o.put("sop_instance_uid", sop);
            o.put("status", status.name());
            if (reason != null) {
                o.put("reason", reason);
            }
            ArrayNode fs = o.putArray("findings");
            if (report != null) {
                for (Finding f : report.findings()) {
                    ObjectNode n = fs.addObject();
                    n.put("severity", f.severity().name());
                    n.put("tag", f.tag());
                    n.put("keyword", f.keyword());
                    n.put("location", f.location());
                    n.put("rule", f.rule());
                    n.put("basis", f.basis());
                    n.put("reason", f.reason());
                    n.put("hint", f.hint());
                }
            }
            out.println(mapper.writeValueAsString(o));
            return;
        }
        int n = report == null ? 0 : report.findings().size();
        out.printf("%-9s %3d  %s%s%n", status, n, uri, sop.isEmpty() ? "" : "  " + sop);
        if (reason != null) {
            out.println("          " + reason);
        }
        if (report != null) {
            for (Finding f : report.findings()) {
                out.printf("          %-6s %-13s %-28s %-22s %s [%s] at %s; basis: %s%n", f.severity(), f.tag(), f.keyword(),
                        f.rule(), f.reason(), f.hint(), f.location(), f.basis());
            }
        }
    }
}
