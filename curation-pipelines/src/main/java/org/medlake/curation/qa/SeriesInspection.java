package org.medlake.curation.qa;

import org.medlake.dicom.DicomValues;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.medlake.curation.CurationException;
import org.medlake.curation.completeness.CompletenessChecker;
import org.medlake.curation.completeness.CompletenessReport;
import org.medlake.curation.completeness.DicomAttrs;
import org.medlake.curation.completeness.InstanceGeometry;

/**
 * Completeness and QA of one series, fed one instance at a time: {@link #add} keeps each instance's geometry and,
 * within a pixel budget, its decoded frames; {@link #evaluate} checks completeness over all instances and runs QA
 * (with a PNG mosaic) over the frames kept. Used by the {@code qa} command and the curation pipeline alike.
 * Not thread-safe.
 */
public final class SeriesInspection {
    /** Default budget of decoded pixel values kept for QA (as floats: 4 bytes each). */
    public static final long DEFAULT_PIXEL_BUDGET = 48L << 20;

    final String seriesUid;
    String studyUid, modality, phaseDirection, seriesTypeHint;
    final List<InstanceGeometry> geometry = new ArrayList<>();
    final List<InstancePixels> pixels = new ArrayList<>();
    String pixelProblem;
    private final long pixelBudget;
    private long pixelsKept;
    private int skippedForBudget;

    /** An inspection of series {@code seriesUid} keeping at most {@link #DEFAULT_PIXEL_BUDGET} pixel values. */
    public SeriesInspection(String seriesUid) {
        this(seriesUid, DEFAULT_PIXEL_BUDGET);
    }

    /** An inspection of series {@code seriesUid} keeping at most {@code pixelBudget} decoded pixel values. */
    public SeriesInspection(String seriesUid, long pixelBudget) {
        this.seriesUid = seriesUid;
        this.pixelBudget = pixelBudget;
    }

    record InstancePixels(InstanceGeometry geometry, PixelVolume volume) {}

    /** The result of {@link #evaluate}; {@code thumbnailPng} is null when there were no usable pixels. */
    public record Evaluated(CompletenessReport completeness, QaResult qa, String seriesType, byte[] thumbnailPng) {}

    public String seriesUid() {
        return seriesUid;
    }

    public String studyUid() {
        return studyUid;
    }

    public String modality() {
        return modality;
    }

    /** Instances added so far. */
    public int instanceCount() {
        return geometry.size();
    }

    /**
     * Parses a whole instance (pixels included). Returns null, after a note, for entries that are not DICOM or not
     * readable at all; an instance whose pixels cannot be decoded comes back as its header with {@code pixelProblem}.
     */
    public static Parsed parse(String uri, byte[] bytes, Consumer<String> notes) {
        if (!looksLikeDicom(bytes)) {
            notes.accept("skipping " + uri + ": not DICOM");
            return null;
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
                notes.accept("skipping " + uri + ": unreadable DICOM (" + e.getMessage() + ")");
                return null;
            }
            pixelProblem = "pixel data not decodable (" + e.getMessage() + "); add the codec or transcode";
        } catch (IOException | RuntimeException e) {
            notes.accept("skipping " + uri + ": unreadable DICOM (" + e + ")");
            return null;
        }
        return new Parsed(list, pixelProblem);
    }

    /** A parsed instance; {@code pixelProblem} says why its pixels are unusable, or is null. */
    public record Parsed(AttributeList list, String pixelProblem) {}

    /** Adds one parsed instance of this series. */
    public void add(String uri, Parsed parsed, Consumer<String> notes) {
        AttributeList list = parsed.list();
        String pixelProblem = parsed.pixelProblem();
        InstanceGeometry g = InstanceGeometry.from(list);
        geometry.add(g);
        if (modality == null) {
            studyUid = DicomValues.string(list, TagFromName.StudyInstanceUID);
            modality = DicomValues.string(list, TagFromName.Modality);
            phaseDirection = DicomValues.string(list, DicomAttrs.IN_PLANE_PHASE_ENCODING_DIRECTION);
            seriesTypeHint = epiHint(list);
        }
        if (pixelProblem != null) {
            notes.accept(uri + ": " + pixelProblem + "; checked for completeness only");
            this.pixelProblem = pixelProblem;
        } else if (list.get(TagFromName.PixelData) == null) {
            String sopClass = DicomValues.string(list, TagFromName.SOPClassUID);
            if (list.get(TagFromName.Rows) != null || (sopClass != null && SOPClass.isImageStorage(sopClass))) {
                // PixelMed stops quietly at the end of a file cut short inside its pixel data.
                notes.accept(uri + ": image without PixelData (truncated file?); checked for completeness only");
            }
        } else if (pixelsKept >= pixelBudget) {
            skippedForBudget++; // geometry is kept for completeness; QA runs on the frames already kept
        } else {
            try {
                PixelVolume v = PixelVolume.from(list);
                pixelsKept += (long) v.rows() * v.columns() * v.frameCount();
                pixels.add(new InstancePixels(g, v));
            } catch (CurationException e) {
                notes.accept(uri + ": pixels not usable for QA: " + e.getMessage());
                this.pixelProblem = e.getMessage();
            }
        }
    }

    /** Instances whose pixels were left out of QA because the pixel budget was used up. */
    public int skippedForBudget() {
        return skippedForBudget;
    }

    static AttributeList headerOnly(byte[] bytes) {
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
        String seqName = String.valueOf(DicomValues.string(list, DicomAttrs.SEQUENCE_NAME)).toLowerCase(Locale.ROOT);
        Double b = DicomValues.decimal(list, DicomAttrs.DIFFUSION_B_VALUE);
        if ((b != null && b > 0) || imageType.contains("DIFFUSION") || seqName.matches(".*ep_b\\d.*")) {
            return "DWI";
        }
        if (scanning.contains("EP") || seqName.contains("epfid") || seqName.contains("epi") || imageType.contains("MOSAIC")) {
            return "EPI";
        }
        return null;
    }

    // ------------------------------------------------------------------ evaluation

    private record Frame(float[] pixels, double position, int rank, InstanceGeometry g, int index) {}

    /**
     * Completeness over every instance added, and QA over the frames kept.
     *
     * @param seriesType the series type when known (e.g. from classification), else null to guess EPI/DWI/BOLD
     *     from the headers
     */
    public Evaluated evaluate(SeriesQa qa, String seriesType) {
        SeriesInspection s = this;
        CompletenessReport completeness = CompletenessChecker.check(s.geometry, null);
        if (s.pixels.isEmpty()) {
            String why = s.pixelProblem != null ? s.pixelProblem : "the series has no pixel data";
            return new Evaluated(completeness, qa.notEvaluated(why), seriesType != null ? seriesType : s.seriesTypeHint, null);
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
        String type = seriesType != null ? seriesType : s.seriesTypeHint;
        if ("EPI".equals(type) && volumes >= 4) {
            type = "BOLD";
        }
        InstanceGeometry first = s.pixels.get(0).geometry();
        Double spacing = first.pixelSpacing() == null ? null : first.pixelSpacing()[0];
        QaResult result = qa.evaluate(s.modality, type, volume, new SeriesQa.Layout(volumes, s.phaseDirection, spacing));
        int perVolume = volume.frameCount() / volumes;
        byte[] thumb = Mosaic.png(volume.frames().subList(0, perVolume), volume.rows(), volume.columns());
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

}
