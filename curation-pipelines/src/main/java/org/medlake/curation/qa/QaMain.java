package org.medlake.curation.qa;

import org.medlake.dicom.DicomValues;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.medlake.curation.CurationException;
import org.medlake.curation.completeness.CompletenessReport;
import org.medlake.curation.completeness.DicomAttrs;
import org.medlake.curation.completeness.Reason;
import org.medlake.ingest.IngestException;
import org.medlake.ingest.source.SourceListing;

/**
 * {@code medlake qa PATH... [--thresholds FILE] [--thumbnails DIR] [--json]}: completeness and QA of every series
 * found under the paths (folders recursively, zip/tar members, {@code .dcm.gz}).
 *
 * <p>Output: with {@code --json} one JSON object per series and line:
 * <pre>
 * {"series_instance_uid": "...", "study_instance_uid": "...", "modality": "MR", "series_type": "BOLD"|null,
 *  "instances": 20,
 *  "completeness": {"status": "COMPLETE"|"INCOMPLETE"|"INCONSISTENT", "reasons": [{"code": "...", "message": "..."}]},
 *  "qa": {"status": "PASS"|"WARN"|"FAIL"|"NOT_EVALUATED", "thresholds_version": 1,
 *         "metrics": [{"name": "mr_snr", "value": 41.2, "unit": "ratio", "status": "PASS", "formula_id": "mr_snr_v1",
 *                      "note": null}]},
 *  "thumbnail": "/dir/&lt;series uid&gt;.png"|null}
 * </pre>
 * otherwise a table. Non-DICOM and unreadable entries are noted on stderr and skipped. Exit codes: 0 done (whatever
 * the verdicts), 2 bad arguments or a missing path or a malformed thresholds file, 1 other failures.
 */
public final class QaMain {
    static final String USAGE = """
            Usage: medlake qa PATH... [--thresholds FILE] [--thumbnails DIR] [--json]
              PATH               DICOM files, folders (recursive), zip/tar/tgz archives or .dcm.gz; local or Hadoop URIs
              --thresholds FILE  PASS/WARN/FAIL thresholds (qa-thresholds-v1.json format); default: bundled
              --thumbnails DIR   write one PNG mosaic per series to DIR/<SeriesInstanceUID>.png
              --json             one JSON object per series and line instead of a table""";

    private QaMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> paths = new ArrayList<>();
        Path thresholdsFile = null, thumbnails = null;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--json" -> json = true;
                case "--thresholds", "--thumbnails" -> {
                    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                        return usage(err, a + " needs a value.");
                    }
                    Path p = Path.of(args[++i]);
                    if (a.equals("--thresholds")) {
                        thresholdsFile = p;
                    } else {
                        thumbnails = p;
                    }
                }
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> {
                    if (a.startsWith("-")) {
                        return usage(err, "Unknown option " + a + ".");
                    }
                    paths.add(a);
                }
            }
        }
        if (paths.isEmpty()) {
            return usage(err, "No PATH given.");
        }
        try {
            QaThresholds thresholds = thresholdsFile == null ? QaThresholds.defaults() : QaThresholds.load(thresholdsFile);
            if (thumbnails != null) {
                Files.createDirectories(thumbnails);
            }
            Map<String, SeriesInspection> series = read(paths, err);
            if (series.isEmpty()) {
                err.println("qa: no DICOM series found under " + paths + ".");
            }
            SeriesQa qa = new SeriesQa(thresholds);
            ObjectMapper mapper = new ObjectMapper();
            if (!json) {
                out.printf(Locale.ROOT, "%-64s %-4s %5s  %-12s %-13s %s%n", "SERIES_INSTANCE_UID", "MOD", "INST",
                        "COMPLETENESS", "QA", "METRICS");
            }
            for (SeriesInspection s : series.values()) {
                Evaluated e = evaluate(s, qa, thumbnails, err);
                if (json) {
                    out.println(mapper.writeValueAsString(toJson(mapper, s, e)));
                } else {
                    printRow(out, s, e);
                }
            }
            return 0;
        } catch (CurationException e) {
            err.println("qa: " + e.getMessage());
            return e.code().exitCode();
        } catch (IngestException e) {
            err.println("qa: " + e.getMessage());
            return e.code().exitCode();
        } catch (IOException e) {
            err.println("qa: I/O failure: " + e + ". Fix: check that the paths and the thumbnail folder are readable/writable.");
            return 1;
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("qa: " + problem);
        err.println(USAGE);
        return 2;
    }

    // ------------------------------------------------------------------ reading

    private static Map<String, SeriesInspection> read(List<String> paths, PrintStream err) throws IOException {
        Map<String, SeriesInspection> series = new LinkedHashMap<>();
        java.util.function.Consumer<String> notes = n -> err.println("qa: note: " + n);
        SourceListing.forEachEntry(new Configuration(), paths, (uri, in, size, inPlace) -> {
            SeriesInspection.Parsed parsed = SeriesInspection.parse(uri, in.readAllBytes(), notes);
            if (parsed == null) {
                return;
            }
            String uid = DicomValues.string(parsed.list(), TagFromName.SeriesInstanceUID);
            if (uid == null) {
                err.println("qa: note: skipping " + uri + ": no SeriesInstanceUID");
                return;
            }
            series.computeIfAbsent(uid, SeriesInspection::new).add(uri, parsed, notes);
        });
        return series;
    }

    /** The evaluation plus where its thumbnail was written. */
    private record Evaluated(CompletenessReport completeness, QaResult qa, String seriesType, Path thumbnail) {}

    private static Evaluated evaluate(SeriesInspection s, SeriesQa qa, Path thumbnails, PrintStream err) {
        SeriesInspection.Evaluated e = s.evaluate(qa, null);
        Path thumb = null;
        if (thumbnails != null && e.thumbnailPng() != null) {
            thumb = thumbnails.resolve(s.seriesUid().replaceAll("[^A-Za-z0-9._-]", "_") + ".png");
            try {
                Files.write(thumb, e.thumbnailPng());
            } catch (IOException ex) {
                err.println("qa: note: cannot write thumbnail " + thumb + ": " + ex);
                thumb = null;
            }
        }
        return new Evaluated(e.completeness(), e.qa(), e.seriesType(), thumb);
    }

    // ------------------------------------------------------------------ output

    private static ObjectNode toJson(ObjectMapper mapper, SeriesInspection s, Evaluated e) {
        ObjectNode o = mapper.createObjectNode();
        o.put("series_instance_uid", s.seriesUid());
        o.put("study_instance_uid", s.studyUid());
        o.put("modality", s.modality());
        o.put("series_type", e.seriesType());
        o.put("instances", s.instanceCount());
        ObjectNode c = o.putObject("completeness");
        c.put("status", e.completeness().status().name());
        ArrayNode reasons = c.putArray("reasons");
        for (Reason r : e.completeness().reasons()) {
            reasons.addObject().put("code", r.code().name()).put("message", r.message());
        }
        ObjectNode q = o.putObject("qa");
        q.put("status", e.qa().status().name());
        q.put("thresholds_version", e.qa().thresholdsVersion());
        ArrayNode metrics = q.putArray("metrics");
        for (Metric m : e.qa().metrics()) {
            ObjectNode mo = metrics.addObject();
            mo.put("name", m.name());
            if (m.value() == null) {
                mo.putNull("value");
            } else {
                mo.put("value", m.value());
            }
            mo.put("unit", m.unit());
            mo.put("status", m.status().name());
            mo.put("formula_id", m.formulaId());
            mo.put("note", m.note());
        }
        o.put("thumbnail", e.thumbnail() == null ? null : e.thumbnail().toString());
        return o;
    }

    private static void printRow(PrintStream out, SeriesInspection s, Evaluated e) {
        StringBuilder m = new StringBuilder();
        for (Metric x : e.qa().metrics()) {
            if (x.value() != null) {
                m.append(String.format(Locale.ROOT, "%s=%.4g(%s) ", x.name(), x.value(), x.status()));
            }
        }
        out.printf(Locale.ROOT, "%-64s %-4s %5d  %-12s %-13s %s%n", s.seriesUid(), s.modality() == null ? "-" : s.modality(),
                s.instanceCount(), e.completeness().status(), e.qa().status(), m.toString().trim());
        for (Reason r : e.completeness().reasons()) {
            out.println("    " + r.code() + ": " + r.message());
        }
        for (Metric x : e.qa().metrics()) {
            if (x.status() == QaStatus.NOT_EVALUATED && x.note() != null && x.name().equals("pixels")) {
                out.println("    QA not evaluated: " + x.note());
            }
        }
        if (e.thumbnail() != null) {
            out.println("    thumbnail: " + e.thumbnail());
        }
    }
}
