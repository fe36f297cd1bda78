package org.medlake.curation.classify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.medlake.curation.CurationException;
import org.medlake.ingest.IngestException;
import org.medlake.ingest.source.SourceListing;

/**
 * {@code classify PATH... [--rules FILE] [--json]}: classifies every series found under the paths (folders recursively,
 * zip/tar/tgz members, {@code .dcm.gz}; plain paths or Hadoop URIs) and prints one line per series, in the order the
 * series were first seen. The default output is a table; {@code --json} prints one JSON object per line:
 *
 * <pre>
 * {"series_instance_uid":"1.2...","modality":"MR","series_type":"DWI","confidence":0.95,"evidence":["..."],
 *  "attributes":{},"instances":20,"rules_version":"1.0.0"}
 * </pre>
 *
 * Entries that are not DICOM (or carry no SeriesInstanceUID) are skipped with a note on stderr. Exit codes: 0 success,
 * 2 bad arguments, missing input or malformed rules (usage on stderr), 1 other failures.
 */
public final class ClassifyMain {
    static final String USAGE = String.join("\n",
            "usage: classify PATH... [--rules FILE] [--json]",
            "  Classifies each DICOM series under PATH (folders, zip/tar/tgz, .dcm.gz) by modality and series type.",
            "  --rules FILE  classification rules JSON (default: built-in classification-rules-v1.json)",
            "  --json        one JSON object per series and line instead of a table");
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClassifyMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> paths = new ArrayList<>();
        String rulesFile = null;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json")) {
                json = true;
            } else if (a.equals("--rules")) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    return usage(err, "--rules needs a file");
                }
                rulesFile = args[++i];
            } else if (a.equals("-h") || a.equals("--help")) {
                out.println(USAGE);
                return 0;
            } else if (a.startsWith("-")) {
                return usage(err, "unknown option " + a);
            } else {
                paths.add(a);
            }
        }
        if (paths.isEmpty()) {
            return usage(err, "no PATH given");
        }
        try {
            RuleSet rules = rulesFile == null ? RuleSet.defaults() : RuleSet.load(Path.of(rulesFile));
            SeriesClassifier classifier = new SeriesClassifier(rules);
            Map<String, List<AttributeList>> series = read(paths, err);
            int instances = 0;
            if (!json) {
                out.println(String.format(Locale.ROOT, "%-64s  %-8s  %-13s  %4s  %5s  %s", "SERIES_INSTANCE_UID",
                        "MODALITY", "SERIES_TYPE", "CONF", "N", "ATTRIBUTES / EVIDENCE"));
            }
            for (Map.Entry<String, List<AttributeList>> e : series.entrySet()) {
                SeriesFeatures f = SeriesFeatures.from(e.getValue());
                Classification c = classifier.classify(f);
                instances += e.getValue().size();
                out.println(json ? jsonLine(c, e.getValue().size()) : tableLine(c, e.getValue().size()));
            }
            err.println("classify: " + series.size() + " series, " + instances + " instances (rules " + rules.version() + ")");
            return 0;
        } catch (CurationException e) {
            err.println("classify: " + e.getMessage());
            return e.code().exitCode();
        } catch (IngestException e) {
            err.println("classify: " + e.getMessage());
            return e.code().exitCode();
        } catch (IOException e) {
            err.println("classify: cannot read the inputs: " + e + ". Fix: check that the paths are readable.");
            return 1;
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("classify: " + problem);
        err.println(USAGE);
        return 2;
    }

    /** Headers grouped by SeriesInstanceUID, in first-seen order; non-DICOM entries are noted on stderr. */
    static Map<String, List<AttributeList>> read(List<String> paths, PrintStream err) throws IOException {
        Map<String, List<AttributeList>> series = new LinkedHashMap<>();
        SourceListing.forEachEntry(new Configuration(), paths, (uri, in, size, inPlace) -> {
            try {
                AttributeList l = HeaderReader.read(in);
                String uid = SeriesFeatures.text(l, Tags.SERIES_INSTANCE_UID);
                series.computeIfAbsent(uid, k -> new ArrayList<>()).add(l);
            } catch (HeaderReader.NotDicomException e) {
                err.println("classify: skipped " + uri + ": not DICOM: " + e.getMessage());
            }
        });
        return series;
    }

    static String jsonLine(Classification c, int instances) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("series_instance_uid", c.seriesInstanceUid());
        m.put("modality", c.modality());
        m.put("series_type", c.seriesType());
        m.put("confidence", c.confidence());
        m.put("evidence", c.evidence());
        m.put("attributes", c.attributes());
        m.put("instances", instances);
        m.put("rules_version", c.rulesVersion());
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new CurationException(org.medlake.curation.ErrorCode.CURATION_INTERNAL, "Cannot write JSON for series "
                    + c.seriesInstanceUid() + ": " + e.getMessage() + ". This is a bug; please report it.", e);
        }
    }

    static String tableLine(Classification c, int instances) {
        StringBuilder detail = new StringBuilder();
        c.attributes().forEach((k, v) -> detail.append(k).append('=').append(v).append(' '));
        if (!c.evidence().isEmpty()) detail.append(c.evidence().get(0));
        return String.format(Locale.ROOT, "%-64s  %-8s  %-13s  %4.2f  %5d  %s", c.seriesInstanceUid(),
                c.modality() == null ? "-" : c.modality(), c.seriesType(), c.confidence(), instances, detail.toString().trim());
    }
}
