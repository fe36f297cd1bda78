package org.medlake.curation.qa;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.medlake.curation.CurationException;
import org.medlake.curation.completeness.CompletenessChecker;
import org.medlake.curation.completeness.CompletenessReport;
import org.medlake.curation.completeness.DicomAttrs;
import org.medlake.curation.completeness.InstanceGeometry;
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
            Map<String, SeriesData> series = read(paths, err);
            if (series.isEmpty()) {
                err.println("qa: no DICOM series found under " + paths + ".");
            }
            SeriesQa qa = new SeriesQa(thresholds);
            ObjectMapper mapper = new ObjectMapper();
            if (!json) {
                out.printf(Locale.ROOT, "%-64s %-4s %5s  %-12s %-13s %s%n", "SERIES_INSTANCE_UID", "MOD", "INST",
                        "COMPLETENESS", "QA", "METRICS");
            }
            for (SeriesData s : series.values()) {
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

    /** Everything gathered about one series while walking the sources. */
    static final class SeriesData {
        final String seriesUid;
        String studyUid, modality, phaseDirection, seriesTypeHint;
        final List<InstanceGeometry> geometry = new ArrayList<>();
        final List<InstancePixels> pixels = new ArrayList<>();
        String pixelProblem;

        SeriesData(String seriesUid) {
            this.seriesUid = seriesUid;
        }
    }

    record InstancePixels(InstanceGeometry geometry, PixelVolume volume) {}

    private static Map<String, SeriesData> read(List<String> paths, PrintStream err) throws IOException {
        Map<String, SeriesData> series = new LinkedHashMap<>();
        SourceListing.forEachEntry(new Configuration(), paths, (uri, in, size, inPlace) -> {
            byte[] bytes = in.readAllBytes();
            if (!looksLikeDicom(bytes)) {
                err.println("qa: note: skipping " + uri + ": not DICOM");
                return;
            }
            AttributeList list = new AttributeList();
            String pixelProblem = null;
            try {
                list.read(new DicomInputStream(new ByteArrayInputStream(bytes)));
            } catch (com.pixelmed.dicom.DicomException e) {
                // Most often a missing codec: keep the header for completeness, report the pixels as unevaluated.
                // When the header does not parse either, the file itself is broken.
                list = headerOnly(bytes);
                if (list == null) {
                    err.println("qa: note: skipping " + uri + ": unreadable DICOM (" + e.getMessage() + ")");
                    return;
                }
                pixelProblem = "pixel data not decodable (" + e.getMessage() + "); add the codec or transcode";
            } catch (IOException | RuntimeException e) {
                err.println("qa: note: skipping " + uri + ": unreadable DICOM (" + e + ")");
                return;
            }
            String uid = DicomAttrs.string(list, TagFromName.SeriesInstanceUID);
            if (uid == null) {
                err.println("qa: note: skipping " + uri + ": no SeriesInstanceUID");
                return;
            }
            SeriesData s = series.computeIfAbsent(uid, SeriesData::new);
            InstanceGeometry g = InstanceGeometry.from(list);
            s.geometry.add(g);
            if (s.modality == null) {
                s.studyUid = DicomAttrs.string(list, TagFromName.StudyInstanceUID);
                s.modality = DicomAttrs.string(list, TagFromName.Modality);
                s.phaseDirection = DicomAttrs.string(list, DicomAttrs.IN_PLANE_PHASE_ENCODING_DIRECTION);
                s.seriesTypeHint = epiHint(list);
            }
            if (pixelProblem != null) {
                err.println("qa: note: " + uri + ": " + pixelProblem + "; checked for completeness only");
                s.pixelProblem = pixelProblem;
            } else if (list.get(TagFromName.PixelData) == null) {
                String sopClass = DicomAttrs.string(list, TagFromName.SOPClassUID);
                if (list.get(TagFromName.Rows) != null || (sopClass != null && SOPClass.isImageStorage(sopClass))) {
                    // PixelMed stops quietly at the end of a file cut short inside its pixel data.
                    err.println("qa: note: " + uri + ": image without PixelData (truncated file?); "
                            + "checked for completeness only");
                }
            } else {
                try {
                    s.pixels.add(new InstancePixels(g, PixelVolume.from(list)));
                } catch (CurationException e) {
                    err.println("qa: note: " + uri + ": pixels not usable for QA: " + e.getMessage());
                    s.pixelProblem = e.getMessage();
                }
            }
        });
        return series;
    }

    private static AttributeList headerOnly(byte[] bytes) {
        try {
            AttributeList list = new AttributeList();
            list.read(new DicomInputStream(new ByteArrayInputStream(bytes)), TagFromName.PixelData);
            return list;
        } catch (IOException | com.pixelmed.dicom.DicomException | RuntimeException e) {
            return null;
        }
    }

    /** 'DICM' at offset 128, or a raw data set starting with group 0002 or 0008 (little endian). */
    static boolean looksLikeDicom(byte[] b) {
        if (b.length >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M') {
            return true;
        }
        return b.length >= 8 && (b[0] == 0x02 || b[0] == 0x08) && b[1] == 0x00;
    }

    /** "DWI", "EPI" or null from the header; BOLD is decided later from the volume count. */
    static String epiHint(AttributeList list) {
        String imageType = String.valueOf(DicomAttrs.strings(list, TagFromName.ImageType)).toUpperCase(Locale.ROOT);
        String scanning = String.valueOf(DicomAttrs.strings(list, DicomAttrs.SCANNING_SEQUENCE)).toUpperCase(Locale.ROOT);
        String seqName = String.valueOf(DicomAttrs.string(list, DicomAttrs.SEQUENCE_NAME)).toLowerCase(Locale.ROOT);
        Double b = DicomAttrs.decimal(list, DicomAttrs.DIFFUSION_B_VALUE);
        if ((b != null && b > 0) || imageType.contains("DIFFUSION") || seqName.matches(".*ep_b\\d.*")) {
            return "DWI";
        }
        if (scanning.contains("EP") || seqName.contains("epfid") || seqName.contains("epi") || imageType.contains("MOSAIC")) {
            return "EPI";
        }
        return null;
    }

    // ------------------------------------------------------------------ evaluation

    record Evaluated(CompletenessReport completeness, QaResult qa, String seriesType, Path thumbnail) {}

    private record Frame(float[] pixels, double position, int rank, InstanceGeometry g, int index) {}

    static Evaluated evaluate(SeriesData s, SeriesQa qa, Path thumbnails, PrintStream err) {
        CompletenessReport completeness = CompletenessChecker.check(s.geometry, null);
        if (s.pixels.isEmpty()) {
            String why = s.pixelProblem != null ? s.pixelProblem : "the series has no pixel data";
            return new Evaluated(completeness, qa.notEvaluated(why), s.seriesTypeHint, null);
        }
        // QA runs on the frames of the most common matrix: a mixed-matrix series is already INCONSISTENT.
        Map<String, Integer> matrices = new HashMap<>();
        s.pixels.forEach(p -> matrices.merge(p.volume().rows() + "x" + p.volume().columns(), p.volume().frameCount(), Integer::sum));
        String matrix = matrices.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        List<Frame> frames = new ArrayList<>();
        for (InstancePixels p : s.pixels) {
            if (!(p.volume().rows() + "x" + p.volume().columns()).equals(matrix)) {
                continue;
            }
            for (int i = 0; i < p.volume().frameCount(); i++) {
                frames.add(new Frame(p.volume().frame(i), position(p.geometry(), i), 0, p.geometry(), i));
            }
        }
        int volumes = orderVolumeMajor(frames);
        List<PixelVolume> parts = new ArrayList<>();
        // Re-wrap frames in volume-major order, keeping each source volume's range statistics.
        Map<InstanceGeometry, PixelVolume> bySource = new HashMap<>();
        s.pixels.forEach(p -> bySource.put(p.geometry(), p.volume()));
        for (Frame f : frames) {
            parts.add(slice(bySource.get(f.g()), f.index()));
        }
        PixelVolume volume = PixelVolume.concat(parts);
        String type = s.seriesTypeHint;
        if ("EPI".equals(type) && volumes >= 4) {
            type = "BOLD";
        }
        InstanceGeometry first = s.pixels.get(0).geometry();
        Double spacing = first.pixelSpacing() == null ? null : first.pixelSpacing()[0];
        QaResult result = qa.evaluate(s.modality, type, volume, new SeriesQa.Layout(volumes, s.phaseDirection, spacing));
        Path thumb = null;
        if (thumbnails != null) {
            int perVolume = volume.frameCount() / volumes;
            thumb = thumbnails.resolve(s.seriesUid.replaceAll("[^A-Za-z0-9._-]", "_") + ".png");
            try {
                Files.write(thumb, Mosaic.png(volume.frames().subList(0, perVolume), volume.rows(), volume.columns()));
            } catch (IOException e) {
                err.println("qa: note: cannot write thumbnail " + thumb + ": " + e);
                thumb = null;
            }
        }
        return new Evaluated(completeness, result, type, thumb);
    }

    /** Frame {@code i} of a volume as a one-frame volume with its own range counts. */
    private static PixelVolume slice(PixelVolume v, int i) {
        return v.frameCount() == 1 ? v : v.frameAt(i);
    }

    private static double position(InstanceGeometry g, int frame) {
        double[] p = g.position(), o = g.orientation();
        if (!g.perFrame().isEmpty() && frame < g.perFrame().size()) {
            InstanceGeometry.FrameGeometry f = g.perFrame().get(frame);
            p = f.position() != null ? f.position() : p;
            o = f.orientation() != null ? f.orientation() : o;
        }
        if (p == null || o == null) {
            return Double.NaN;
        }
        double[] n = {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]};
        return p[0] * n[0] + p[1] * n[1] + p[2] * n[2];
    }

    /**
     * Sorts frames volume-major and returns the number of volumes: with P distinct positions among N frames and
     * N a multiple of P, the k-th frame at each position (by echo, temporal position, acquisition, instance number,
     * frame) belongs to volume k; otherwise everything is one volume ordered by position.
     */
    private static int orderVolumeMajor(List<Frame> frames) {
        Comparator<Frame> byTime = Comparator
                .comparing((Frame f) -> f.g().echoNumber(), Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(f -> f.g().temporalPosition(), Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(f -> f.g().acquisitionNumber(), Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(f -> f.g().instanceNumber(), Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparingInt(Frame::index);
        if (frames.stream().anyMatch(f -> Double.isNaN(f.position()))) {
            frames.sort(byTime);
            return 1;
        }
        Map<Long, List<Frame>> byPosition = new HashMap<>();
        for (Frame f : frames) {
            byPosition.computeIfAbsent(Math.round(f.position() * 100), k -> new ArrayList<>()).add(f);
        }
        int p = byPosition.size(), n = frames.size();
        boolean regular = byPosition.values().stream().allMatch(l -> l.size() == n / p) && n % p == 0;
        List<Frame> ranked = new ArrayList<>();
        for (List<Frame> l : byPosition.values()) {
            l.sort(byTime);
            for (int k = 0; k < l.size(); k++) {
                Frame f = l.get(k);
                ranked.add(new Frame(f.pixels(), f.position(), regular ? k : 0, f.g(), f.index()));
            }
        }
        ranked.sort(Comparator.comparingInt(Frame::rank).thenComparingDouble(Frame::position).thenComparing(byTime));
        frames.clear();
        frames.addAll(ranked);
        return regular ? n / p : 1;
    }

    // ------------------------------------------------------------------ output

    private static ObjectNode toJson(ObjectMapper mapper, SeriesData s, Evaluated e) {
        ObjectNode o = mapper.createObjectNode();
        o.put("series_instance_uid", s.seriesUid);
        o.put("study_instance_uid", s.studyUid);
        o.put("modality", s.modality);
        o.put("series_type", e.seriesType());
        o.put("instances", s.geometry.size());
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

    private static void printRow(PrintStream out, SeriesData s, Evaluated e) {
        StringBuilder m = new StringBuilder();
        for (Metric x : e.qa().metrics()) {
            if (x.value() != null) {
                m.append(String.format(Locale.ROOT, "%s=%.4g(%s) ", x.name(), x.value(), x.status()));
            }
        }
        out.printf(Locale.ROOT, "%-64s %-4s %5d  %-12s %-13s %s%n", s.seriesUid, s.modality == null ? "-" : s.modality,
                s.geometry.size(), e.completeness().status(), e.qa().status(), m.toString().trim());
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
