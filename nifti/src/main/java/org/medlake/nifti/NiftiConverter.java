package org.medlake.nifti;

import org.medlake.dicom.DicomValues;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * DICOM → NIfTI-1 conversion following dcm2niix's conventions (see docs/nifti.md). Stateless and thread-safe.
 *
 * <p>Public API used by the lake pipeline: {@link #convertSeries(List)} for the files of one series,
 * {@link #groupSeries(List)} + {@link #convert(SeriesFiles)} or {@link #convertAll(List)} for arbitrary inputs.
 */
public final class NiftiConverter {
    private NiftiConverter() {}

    /**
     * The files of one series as grouped by {@link #groupSeries}: SeriesInstanceUID plus SeriesNumber (files that
     * share a UID but not a number, as re-encodings of one acquisition do, are separate series). Holds the parsed
     * headers so conversion does not parse them again.
     */
    public static final class SeriesFiles {
        private final String seriesInstanceUid;
        private final int seriesNumber;
        private final List<Instance> instances;

        SeriesFiles(String seriesInstanceUid, int seriesNumber, List<Instance> instances) {
            this.seriesInstanceUid = seriesInstanceUid;
            this.seriesNumber = seriesNumber;
            this.instances = List.copyOf(instances);
        }

        public String seriesInstanceUid() {
            return seriesInstanceUid;
        }

        public int seriesNumber() {
            return seriesNumber;
        }

        public List<Path> files() {
            return instances.stream().map(i -> i.path).toList();
        }

        /** The base name its outputs will get (before split suffixes): {@code <SeriesNumber>_<description>}. */
        public String baseNameHint() {
            return baseName(instances.get(0).header, seriesNumber);
        }
    }

    /**
     * The outcome of one series: its outputs, or the reason it could not be converted.
     *
     * @param results empty when {@code failure} is set
     * @param failure {@code null} on success
     */
    public record SeriesOutcome(String seriesInstanceUid, int seriesNumber, List<Path> files, List<NiftiResult> results,
                                NiftiException failure) {
        public SeriesOutcome {
            files = List.copyOf(files);
            results = List.copyOf(results);
        }

        public boolean ok() {
            return failure == null;
        }
    }

    /** Inputs found by {@link #groupSeries}: image series and the files that were not converted, with why. */
    public record Grouping(List<SeriesFiles> series, Map<Path, String> ignored) {}

    /**
     * Converts the files of one series (already grouped by the caller, e.g. by SeriesInstanceUID).
     *
     * @return one result per output volume set (more than one when the series splits by echo, magnitude/phase,
     *     matrix or orientation, as dcm2niix splits it)
     * @throws NiftiException with the reason when the series cannot be converted
     */
    public static List<NiftiResult> convertSeries(List<Path> filesOfOneSeries) {
        Objects.requireNonNull(filesOfOneSeries, "filesOfOneSeries");
        if (filesOfOneSeries.isEmpty()) {
            throw new NiftiException(NiftiException.ErrorCode.NIFTI_BAD_ARGUMENT, "No files to convert. Cause: an "
                    + "empty series. Fix: pass the DICOM files of one series.");
        }
        List<Instance> instances = filesOfOneSeries.parallelStream().map(Instance::read).toList();
        Instance first = instances.get(0);
        return convertInstances(new SeriesFiles(first.seriesUid, first.seriesNumber, instances));
    }

    /** Converts one grouped series; never throws for a bad series (the outcome carries the reason). */
    public static SeriesOutcome convert(SeriesFiles series) {
        try {
            return new SeriesOutcome(series.seriesInstanceUid, series.seriesNumber, series.files(),
                    convertInstances(series), null);
        } catch (NiftiException e) {
            return new SeriesOutcome(series.seriesInstanceUid, series.seriesNumber, series.files(), List.of(), e);
        } catch (RuntimeException | OutOfMemoryError e) {
            return new SeriesOutcome(series.seriesInstanceUid, series.seriesNumber, series.files(), List.of(),
                    new NiftiException(NiftiException.ErrorCode.NIFTI_INTERNAL, "Conversion failed unexpectedly: " + e
                            + ". Cause: a bug or an input this converter does not expect. Fix: report it with the series.", e));
        }
    }

    /**
     * Groups and converts everything under the inputs (files, or folders searched recursively). Results are held in
     * memory; for large inputs use {@link #groupSeries} and {@link #convert} one series at a time.
     */
    public static List<SeriesOutcome> convertAll(List<Path> inputs) {
        return groupSeries(inputs).series().stream().map(NiftiConverter::convert).toList();
    }

    /**
     * Finds the DICOM image files under the inputs and groups them into series, sorted by SeriesNumber then UID.
     * Files that are not DICOM, or DICOM without pixels (SR, RT structures, presentation states), are listed in
     * {@link Grouping#ignored()}.
     *
     * @throws NiftiException NIFTI_INPUT_NOT_FOUND when an input does not exist
     */
    public static Grouping groupSeries(List<Path> inputs) {
        Set<Path> files = new LinkedHashSet<>();
        for (Path in : inputs) {
            if (!Files.exists(in)) {
                throw new NiftiException(NiftiException.ErrorCode.NIFTI_INPUT_NOT_FOUND, "Input " + in + " does not "
                        + "exist. Cause: a wrong path. Fix: pass existing DICOM files or folders.");
            }
            if (Files.isDirectory(in)) {
                try (Stream<Path> s = Files.walk(in, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
                    s.filter(Files::isRegularFile).sorted().forEach(files::add);
                } catch (IOException | UncheckedIOException e) {
                    throw new NiftiException(NiftiException.ErrorCode.NIFTI_IO, "Cannot list " + in + ": " + e
                            + ". Cause: permissions or a vanished folder. Fix: check the folder.", e);
                }
            } else {
                files.add(in);
            }
        }
        Map<Path, String> ignored = new java.util.concurrent.ConcurrentSkipListMap<>();
        List<Instance> instances = files.parallelStream().map(p -> {
            try {
                Instance i = Instance.read(p);
                if (!i.hasPixels) {
                    ignored.put(p, "DICOM without image pixels");
                    return null;
                }
                return i;
            } catch (NiftiException e) {
                ignored.put(p, "not DICOM");
                return null;
            }
        }).filter(Objects::nonNull).toList();
        Map<String, List<Instance>> groups = new LinkedHashMap<>();
        for (Instance i : instances) {
            String uid = i.seriesUid != null ? i.seriesUid : "no-uid:" + i.path.getParent();
            groups.computeIfAbsent(uid + "#" + i.seriesNumber, k -> new ArrayList<>()).add(i);
        }
        List<SeriesFiles> series = new ArrayList<>();
        for (List<Instance> g : groups.values()) {
            series.add(new SeriesFiles(g.get(0).seriesUid, g.get(0).seriesNumber, g));
        }
        series.sort(Comparator.comparingInt(SeriesFiles::seriesNumber)
                .thenComparing(s -> s.seriesInstanceUid == null ? "" : s.seriesInstanceUid)
                .thenComparing(s -> s.instances.get(0).path.toString()));
        return new Grouping(series, ignored);
    }

    private static List<NiftiResult> convertInstances(SeriesFiles series) {
        // Re-encodings of one instance in one series (same SOP Instance UID) are used once.
        Map<String, Instance> unique = new LinkedHashMap<>();
        for (Instance i : series.instances) {
            unique.putIfAbsent(i.sopUid != null ? i.sopUid : i.path.toString(), i);
        }
        List<Slice> slices = new ArrayList<>();
        Instance nonImage = null;
        for (Instance i : unique.values()) {
            if (!i.hasPixels) {
                nonImage = i; // e.g. a presentation state filed under the image series: skipped, as dcm2niix does
                continue;
            }
            PixelReader.checkDecoder(i);
            slices.addAll(SliceExtractor.slices(i));
        }
        if (slices.isEmpty()) {
            throw new NiftiException(NiftiException.ErrorCode.NIFTI_UNSUPPORTED, "The series has no image pixels (e.g. "
                    + (nonImage == null ? "no files" : nonImage.path) + "). Cause: a non-image series (SR, RT, "
                    + "presentation state). Fix: convert image series only.");
        }
        List<VolumeSet> sets = SlicePlanner.plan(slices);
        List<NiftiResult> out = new ArrayList<>();
        for (VolumeSet vs : sets) {
            out.add(build(vs));
        }
        return out;
    }

    private static NiftiResult build(VolumeSet vs) {
        Slice s0 = vs.first();
        AttributeList h = s0.source.header;
        PixelReader.Result px = PixelReader.read(vs);
        double[][] sform = Geometry.sform(s0.position, s0.orientation, s0.dx, s0.dy, vs.sliceVector(), vs.ny());
        double tr = repetitionTime(h);
        double dz = Vec.norm(vs.sliceVector());
        int[] dim = vs.nt() > 1 ? new int[] {vs.nx(), vs.ny(), vs.nz(), vs.nt()} : new int[] {vs.nx(), vs.ny(), vs.nz()};
        double[] spacing = {s0.dx, s0.dy, dz};
        String pe = Sidecar.phaseEncodingDirection(h);
        int[] fpsAxes = pe == null ? null : "ROW".equalsIgnoreCase(pe) ? new int[] {1, 0, 2} : new int[] {0, 1, 2};
        Voxels voxels = px.voxels();
        if (is3dAcquisition(h) && vs.nz() > 1) {
            // dcm2niix rotates 3D acquisitions to the nearest RAS-ordered storage by default
            Reorient.Result r = Reorient.toRasOrder(voxels, sform, dim);
            if (r != null) {
                voxels = r.voxels();
                sform = r.sform();
                dim = r.dims();
                double[] old = spacing.clone();
                for (int w = 0; w < 3; w++) {
                    spacing[w] = old[r.fromAxis()[w] < 0 ? ~r.fromAxis()[w] : r.fromAxis()[w]];
                }
                // dim_info keeps the acquisition's axes, as dcm2niix leaves it
            }
        }
        double[] q = Geometry.quaternion(sform);
        double[] pixdim = dim.length > 3 ? new double[] {spacing[0], spacing[1], spacing[2], Double.isNaN(tr) ? 0 : tr}
                : spacing;
        int dimInfo = fpsAxes == null ? 0 : (fpsAxes[0] + 1) | (fpsAxes[1] + 1) << 2 | (fpsAxes[2] + 1) << 4;
        double[] timing = Sidecar.sliceTiming(vs);
        NiftiHeader header = new NiftiHeader(dim, voxels.datatype, voxels.bitpix(), pixdim, q[6],
                px.sclSlope(), px.sclInter(), 1, 1, new double[] {q[0], q[1], q[2], q[3], q[4], q[5]}, sform, dimInfo,
                sliceCode(timing), 0, 0, 0, 2 | 8, descrip(vs));
        String json = Sidecar.json(vs, tr);
        String[] dwi = Diffusion.texts(vs, sform);
        LinkedHashSet<String> sops = new LinkedHashSet<>();
        for (List<Slice> v : vs.slices()) {
            for (Slice s : v) {
                if (s.source.sopUid != null) {
                    sops.add(s.source.sopUid);
                }
            }
        }
        return new NiftiResult(baseName(h, s0.source.seriesNumber) + vs.suffix(), header, voxels, json,
                dwi == null ? null : dwi[0], dwi == null ? null : dwi[1], new ArrayList<>(sops));
    }

    /** An MR volume acquired as 3D (MRAcquisitionType 3D), which dcm2niix stores rotated. */
    static boolean is3dAcquisition(AttributeList h) {
        return "MR".equalsIgnoreCase(DicomValues.string(h, TagFromName.Modality))
                && "3D".equalsIgnoreCase(DicomValues.string(h, Tags.MR_ACQUISITION_TYPE));
    }

    /** RepetitionTime in seconds (enhanced: from the shared timing group), or NaN. */
    static double repetitionTime(AttributeList h) {
        Double tr = DicomValues.decimal(h, TagFromName.RepetitionTime);
        if (tr == null) {
            AttributeList shared = DicomValues.item(h, TagFromName.SharedFunctionalGroupsSequence, 0);
            tr = DicomValues.decimal(DicomValues.item(shared, Tags.MR_TIMING_SEQUENCE, 0), TagFromName.RepetitionTime);
        }
        return tr == null ? Double.NaN : tr / 1000.0;
    }

    /** NIfTI slice_code of the acquisition order, 0 when unknown or simultaneous (multiband). */
    static int sliceCode(double[] t) {
        if (t == null) {
            return 0;
        }
        int n = t.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble(i -> t[i]));
        for (int i = 1; i < n; i++) {
            if (t[order[i]] == t[order[i - 1]]) {
                return 0;
            }
        }
        int[][] patterns = new int[7][n];
        for (int i = 0, k = 0; i < n; i++) {
            patterns[1][i] = i;
            patterns[2][i] = n - 1 - i;
        }
        fillAlternating(patterns[3], 0, n, false);
        fillAlternating(patterns[5], 1, n, false);
        fillAlternating(patterns[4], n - 1, n, true);
        fillAlternating(patterns[6], n - 2, n, true);
        for (int code = 1; code <= 6; code++) {
            boolean match = true;
            for (int i = 0; i < n && match; i++) {
                match = order[i] == patterns[code][i];
            }
            if (match) {
                return code;
            }
        }
        return 0;
    }

    private static void fillAlternating(int[] p, int start, int n, boolean down) {
        int k = 0;
        int step = down ? -2 : 2;
        for (int i = start; i >= 0 && i < n; i += step) {
            p[k++] = i;
        }
        int second = down ? (start == n - 1 ? n - 2 : n - 1) : (start == 0 ? 1 : 0);
        for (int i = second; i >= 0 && i < n && k < n; i += step) {
            p[k++] = i;
        }
    }

    /**
     * dcm2niix's descrip: {@code TE=<ms>;Time=<HHMMSS.fff as a number>;phase=<polarity>;mb=<factor>}, the time from
     * AcquisitionTime, else AcquisitionDateTime, else the earliest frame; mb when slices are acquired simultaneously.
     */
    private static String descrip(VolumeSet vs) {
        Slice s0 = vs.first();
        AttributeList h = s0.source.header;
        Double te = Sidecar.echoTimeMs(h);
        double seconds = SliceExtractor.seconds(DicomValues.string(h, TagFromName.AcquisitionTime));
        if (Double.isNaN(seconds)) {
            seconds = SliceExtractor.dateTimeSeconds(DicomValues.string(h, TagFromName.AcquisitionDateTime));
        }
        if (Double.isNaN(seconds)) {
            seconds = Double.POSITIVE_INFINITY;
            for (Slice s : vs.slices().get(0)) {
                seconds = Math.min(seconds, Double.isNaN(s.time) ? Double.POSITIVE_INFINITY : s.time);
            }
        }
        StringBuilder d = new StringBuilder();
        if (te != null) {
            d.append("TE=").append(Diffusion.fmt(te));
        }
        if (Double.isFinite(seconds)) {
            int hh = (int) (seconds / 3600), mm = (int) ((seconds - hh * 3600) / 60);
            double ss = seconds - hh * 3600 - mm * 60;
            // rounded from the exact binary value, as C's printf("%.3f") does (Java's Formatter would round 0.7975 up)
            double hhmmss = hh * 10000 + mm * 100 + ss;
            d.append(d.length() > 0 ? ";" : "").append("Time=").append(
                    new java.math.BigDecimal(hhmmss).setScale(3, java.math.RoundingMode.HALF_EVEN).toPlainString());
        }
        Double pol = Sidecar.phasePolarity(s0.source);
        if (pol != null) {
            d.append(";phase=").append(pol.intValue());
        }
        int mb = multiband(Sidecar.sliceTiming(vs));
        if (mb > 1) {
            d.append(";mb=").append(mb);
        }
        return d.toString();
    }

    /** Slices acquired together (within 10 ms of the first slice's time), or 0 when slice times are unknown. */
    static int multiband(double[] timing) {
        if (timing == null) {
            return 0;
        }
        int n = 0;
        for (double t : timing) {
            if (Math.abs(t - timing[0]) < 0.01) { // Siemens rounds slice times to 2.5 ms
                n++;
            }
        }
        return n;
    }

    /** {@code <SeriesNumber>_<SeriesDescription or ProtocolName>}, reduced to [A-Za-z0-9._-]. */
    static String baseName(AttributeList h, int seriesNumber) {
        String desc = DicomValues.string(h, TagFromName.SeriesDescription);
        if (desc == null) {
            desc = DicomValues.string(h, TagFromName.ProtocolName);
        }
        // by hand rather than with regular expressions: this runs in every short CLI invocation
        StringBuilder b = new StringBuilder();
        if (desc != null) {
            for (int i = 0; i < desc.length() && b.length() < 64; i++) {
                char c = desc.charAt(i);
                boolean ok = c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-');
                if (ok) {
                    b.append(c);
                } else if (b.length() > 0 && b.charAt(b.length() - 1) != '_') {
                    b.append('_');
                }
            }
        }
        while (b.length() > 0 && (b.charAt(0) == '_' || b.charAt(0) == '.')) {
            b.deleteCharAt(0);
        }
        while (b.length() > 0 && b.charAt(b.length() - 1) == '_') {
            b.setLength(b.length() - 1);
        }
        return seriesNumber + (b.length() == 0 ? "" : "_" + b);
    }
}
