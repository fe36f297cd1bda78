package org.medlake.curation.completeness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.medlake.curation.CurationException;
import org.medlake.curation.ErrorCode;

/**
 * Checks that a series is complete and self-consistent, from instance geometry alone (no pixel values).
 *
 * <h2>Method</h2>
 * <ol>
 *   <li><b>Duplicates</b>: a SOP Instance UID seen twice, or two instances with the same
 *       {@link InstanceGeometry#contentKey()} (same position, echo, temporal position, acquisition and pixel hash).</li>
 *   <li><b>Instance numbers</b>: every integer between the smallest and the largest InstanceNumber must occur
 *       (numbers restarting per echo or volume are fine: the union is checked).</li>
 *   <li><b>Slices</b> (cross-sectional series only: CT, MR, PT, or any instance with ImageOrientationPatient; planar NM,
 *       CR, DX, US and the like have no slice geometry to check):
 *       each instance, or each frame of an enhanced multi-frame instance, is a slice. The slice normal is
 *       {@code n = r × c} (row and column direction cosines) and the slice position is {@code s = p · n}
 *       (p = ImagePositionPatient). Slices are grouped by orientation, echo (EchoNumbers or EffectiveEchoTime),
 *       temporal position (TemporalPositionIdentifier or TemporalPositionIndex) and StackID. Within a group the
 *       distinct positions {@code s_1 < ... < s_P} (merged within {@link Tolerances#samePositionMm}) have spacings
 *       {@code δ_i = s_{i+1} - s_i} and median spacing {@code d}. With {@code tol = max(absoluteMm, relative·d)}:
 *       {@code |δ_i - d| ≤ tol} is regular; {@code |δ_i - k·d| ≤ tol} for an integer {@code k ≥ 2} means
 *       {@code k-1} MISSING_SLICEs; anything else is UNEVEN_SPACING.</li>
 *   <li><b>Repetitions</b>: several slices at one position in one group are repetitions (multi-volume series
 *       without temporal identifiers, DWI, Siemens mosaics), not duplicates. The modal count {@code m} per
 *       position is the number of volumes; a position with fewer than {@code m} slices is a MISSING_SLICE in
 *       some volume, one with more is a DUPLICATE_INSTANCE. Groups of one orientation and stack must have the
 *       same number of positions (an echo missing its last slice is a MISSING_SLICE).</li>
 *   <li><b>Counts</b>: NumberOfFrames against the PerFrameFunctionalGroupsSequence items; NumberOfTemporalPositions
 *       against the distinct temporal positions (or, without identifiers, the repetitions per position);
 *       ImagesInAcquisition against the largest plausible count (whole series, one acquisition, one group, one
 *       volume) so that vendor conventions do not raise false alarms; {@link SeriesExpectations} exactly.</li>
 * </ol>
 * Impact: missing things (gaps, slices, geometry, too few instances) make a series INCOMPLETE; contradictions
 * (duplicates, mixed orientation or matrix, uneven spacing, too many instances) make it INCONSISTENT.
 */
public final class CompletenessChecker {
    private static final Set<String> CROSS_SECTIONAL = Set.of("CT", "MR", "PT");

    /**
     * Tolerances of the slice checks.
     *
     * @param relativeSpacing spacing tolerance as a fraction of the median spacing
     * @param absoluteSpacingMm lower bound of the spacing tolerance in mm (DS rounding)
     * @param samePositionMm two slice positions closer than this are the same position
     * @param orientation largest difference of a direction cosine within one orientation
     */
    public record Tolerances(double relativeSpacing, double absoluteSpacingMm, double samePositionMm, double orientation) {
        /** 5 % of the spacing but at least 0.02 mm; positions within 0.01 mm are equal; cosines within 0.001. */
        public static Tolerances defaults() {
            return new Tolerances(0.05, 0.02, 0.01, 1e-3);
        }
    }

    private CompletenessChecker() {}

    /** {@link #check(List, SeriesExpectations, Tolerances)} with default tolerances. */
    public static CompletenessReport check(List<InstanceGeometry> instances, SeriesExpectations expectations) {
        return check(instances, expectations, Tolerances.defaults());
    }

    /**
     * Checks one series.
     *
     * @param instances every instance of the series, in any order
     * @param expectations outside knowledge of the counts, or {@code null}
     * @throws CurationException CURATION_BAD_ARGUMENT when {@code instances} is null or contains null
     */
    public static CompletenessReport check(List<InstanceGeometry> instances, SeriesExpectations expectations,
                                           Tolerances tol) {
        if (instances == null || instances.stream().anyMatch(Objects::isNull)) {
            throw new CurationException(ErrorCode.CURATION_BAD_ARGUMENT, "CompletenessChecker.check got a null "
                    + "instance list or a null instance. Cause: a caller bug. Fix: pass the instances of one series.");
        }
        SeriesExpectations exp = expectations == null ? SeriesExpectations.none() : expectations;
        Tolerances t = tol == null ? Tolerances.defaults() : tol;
        List<Reason> reasons = new ArrayList<>();
        if (instances.isEmpty()) {
            reasons.add(new Reason(Reason.Code.COUNT_MISMATCH, "The series has no instances.", CompletenessStatus.INCOMPLETE));
            return new CompletenessReport(CompletenessStatus.INCOMPLETE, reasons, 0, 0, 0, null);
        }

        List<InstanceGeometry> unique = removeDuplicates(instances, reasons);
        checkInstanceNumbers(unique, reasons);

        boolean crossSectional = unique.stream().anyMatch(g -> g.orientation() != null
                || (g.modality() != null && CROSS_SECTIONAL.contains(g.modality().toUpperCase(Locale.ROOT)))
                || !g.perFrame().isEmpty());
        List<Slice> slices = slices(unique);
        checkFrameCounts(unique, reasons);
        SliceSummary summary = new SliceSummary(0, 0, null, 0);
        if (crossSectional) {
            checkGeometryPresent(slices, reasons);
            checkMatrix(slices, reasons);
            summary = checkSlices(slices, t, reasons);
        }
        checkCounts(unique, slices, summary, exp, reasons);

        reasons.sort(Comparator.comparing(Reason::code));
        CompletenessStatus status = CompletenessStatus.COMPLETE;
        for (Reason r : reasons) {
            status = status.worst(r.impact());
        }
        return new CompletenessReport(status, reasons, unique.size(), summary.positions, summary.volumes,
                summary.spacing);
    }

    /** One slice: a classic instance or one frame of an enhanced instance. */
    private record Slice(double[] position, double[] orientation, double[] spacing, Integer rows, Integer columns,
                         String echo, Integer temporal, String stack, Integer acquisition, Integer instanceNumber,
                         String label) {}

    private record SliceSummary(int positions, int volumes, Double spacing, int maxGroupSize) {}

    private static List<InstanceGeometry> removeDuplicates(List<InstanceGeometry> instances, List<Reason> reasons) {
        List<InstanceGeometry> unique = new ArrayList<>();
        Map<String, Integer> uidCount = new LinkedHashMap<>();
        Set<String> contentKeys = new HashSet<>();
        List<String> contentDuplicates = new ArrayList<>();
        for (InstanceGeometry g : instances) {
            String uid = g.duplicateKey();
            if (uid != null && uidCount.merge(uid, 1, Integer::sum) > 1) {
                continue;
            }
            String ck = g.contentKey();
            if (ck != null && !contentKeys.add(ck)) {
                contentDuplicates.add(label(g));
                continue;
            }
            unique.add(g);
        }
        List<String> repeated = uidCount.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(e -> e.getKey() + " (x" + e.getValue() + ")").toList();
        if (!repeated.isEmpty()) {
            reasons.add(new Reason(Reason.Code.DUPLICATE_INSTANCE, repeated.size() + " SOP Instance UID(s) occur more "
                    + "than once: " + head(repeated) + ". The same instance was stored twice; keep one copy.",
                    CompletenessStatus.INCONSISTENT));
        }
        if (!contentDuplicates.isEmpty()) {
            reasons.add(new Reason(Reason.Code.DUPLICATE_INSTANCE, contentDuplicates.size() + " instance(s) repeat "
                    + "another instance's position, echo, temporal position and pixel data under a new UID: "
                    + head(contentDuplicates) + ".", CompletenessStatus.INCONSISTENT));
        }
        return unique;
    }

    private static void checkInstanceNumbers(List<InstanceGeometry> unique, List<Reason> reasons) {
        TreeSet<Integer> numbers = new TreeSet<>();
        for (InstanceGeometry g : unique) {
            if (g.instanceNumber() != null) {
                numbers.add(g.instanceNumber());
            }
        }
        if (numbers.size() < 2) {
            return;
        }
        List<String> gaps = new ArrayList<>();
        int missing = 0;
        Integer prev = null;
        for (int n : numbers) {
            if (prev != null && n > prev + 1) {
                missing += n - prev - 1;
                gaps.add(n - prev == 2 ? Integer.toString(prev + 1) : (prev + 1) + ".." + (n - 1));
            }
            prev = n;
        }
        if (missing > 0) {
            reasons.add(new Reason(Reason.Code.INSTANCE_NUMBER_GAP, missing + " InstanceNumber(s) missing between "
                    + numbers.first() + " and " + numbers.last() + ": " + head(gaps) + ".", CompletenessStatus.INCOMPLETE));
        }
    }

    private static List<Slice> slices(List<InstanceGeometry> unique) {
        List<Slice> slices = new ArrayList<>();
        for (InstanceGeometry g : unique) {
            if (g.perFrame().isEmpty()) {
                slices.add(new Slice(g.position(), g.orientation(), g.pixelSpacing(), g.rows(), g.columns(),
                        g.echoNumber() == null ? null : "E" + g.echoNumber(), g.temporalPosition(), null,
                        g.acquisitionNumber(), g.instanceNumber(), label(g)));
            } else {
                for (int i = 0; i < g.perFrame().size(); i++) {
                    InstanceGeometry.FrameGeometry f = g.perFrame().get(i);
                    String echo = f.effectiveEchoTime() != null ? "TE" + f.effectiveEchoTime()
                            : g.echoNumber() == null ? null : "E" + g.echoNumber();
                    slices.add(new Slice(f.position(), f.orientation(), f.pixelSpacing(), g.rows(), g.columns(), echo,
                            f.temporalPositionIndex() != null ? f.temporalPositionIndex() : g.temporalPosition(),
                            f.stackId(), g.acquisitionNumber(), g.instanceNumber(), label(g) + " frame " + (i + 1)));
                }
            }
        }
        return slices;
    }

    private static void checkFrameCounts(List<InstanceGeometry> unique, List<Reason> reasons) {
        for (InstanceGeometry g : unique) {
            if (!g.perFrame().isEmpty() && g.perFrame().size() != g.frames()) {
                reasons.add(new Reason(Reason.Code.COUNT_MISMATCH, label(g) + " says NumberOfFrames " + g.frames()
                        + " but its PerFrameFunctionalGroupsSequence has " + g.perFrame().size() + " items.",
                        CompletenessStatus.INCONSISTENT));
            }
        }
    }

    private static void checkGeometryPresent(List<Slice> slices, List<Reason> reasons) {
        int noPosition = 0, noOrientation = 0, badOrientation = 0, noSpacing = 0, noMatrix = 0;
        for (Slice s : slices) {
            noPosition += s.position == null ? 1 : 0;
            noSpacing += s.spacing == null ? 1 : 0;
            noMatrix += s.rows == null || s.columns == null || s.rows <= 0 || s.columns <= 0 ? 1 : 0;
            if (s.orientation == null) {
                noOrientation++;
            } else if (!validOrientation(s.orientation)) {
                badOrientation++;
            }
        }
        List<String> missing = new ArrayList<>();
        addCount(missing, noPosition, "ImagePositionPatient");
        addCount(missing, noOrientation, "ImageOrientationPatient");
        addCount(missing, badOrientation, "a valid ImageOrientationPatient (unit, orthogonal cosines)");
        addCount(missing, noSpacing, "PixelSpacing");
        addCount(missing, noMatrix, "Rows/Columns");
        if (!missing.isEmpty()) {
            reasons.add(new Reason(Reason.Code.MISSING_GEOMETRY, "Of " + slices.size() + " slices, "
                    + String.join("; ", missing) + ". NIfTI conversion needs all of them.", CompletenessStatus.INCOMPLETE));
        }
    }

    private static void addCount(List<String> out, int n, String what) {
        if (n > 0) {
            out.add(n + " lack " + what);
        }
    }

    static boolean validOrientation(double[] o) {
        double nr = Math.sqrt(o[0] * o[0] + o[1] * o[1] + o[2] * o[2]);
        double nc = Math.sqrt(o[3] * o[3] + o[4] * o[4] + o[5] * o[5]);
        double dot = o[0] * o[3] + o[1] * o[4] + o[2] * o[5];
        // DS values carry ~6 digits; 1 % is far above rounding and far below a real error.
        return Math.abs(nr - 1) < 0.01 && Math.abs(nc - 1) < 0.01 && Math.abs(dot) < 0.01;
    }

    private static void checkMatrix(List<Slice> slices, List<Reason> reasons) {
        Map<String, Integer> matrices = new TreeMap<>();
        Map<String, Integer> spacings = new TreeMap<>();
        for (Slice s : slices) {
            if (s.rows != null && s.columns != null) {
                matrices.merge(s.rows + "x" + s.columns, 1, Integer::sum);
            }
            if (s.spacing != null) {
                spacings.merge(String.format(Locale.ROOT, "%.3fx%.3f mm", s.spacing[0], s.spacing[1]), 1, Integer::sum);
            }
        }
        if (matrices.size() > 1) {
            reasons.add(new Reason(Reason.Code.MIXED_MATRIX, "The series mixes matrix sizes (rows x columns: slices): "
                    + matrices + ".", CompletenessStatus.INCONSISTENT));
        }
        if (spacings.size() > 1) {
            reasons.add(new Reason(Reason.Code.MIXED_MATRIX, "The series mixes pixel spacings: " + spacings + ".",
                    CompletenessStatus.INCONSISTENT));
        }
    }

    private static SliceSummary checkSlices(List<Slice> slices, Tolerances t, List<Reason> reasons) {
        // Orientation clusters: representatives compared cosine by cosine.
        List<double[]> clusters = new ArrayList<>();
        Map<Slice, Integer> clusterOf = new java.util.IdentityHashMap<>();
        for (Slice s : slices) {
            if (s.position == null || s.orientation == null || !validOrientation(s.orientation)) {
                continue;
            }
            int found = -1;
            for (int i = 0; i < clusters.size() && found < 0; i++) {
                if (close(clusters.get(i), s.orientation, t.orientation())) {
                    found = i;
                }
            }
            if (found < 0) {
                clusters.add(s.orientation);
                found = clusters.size() - 1;
            }
            clusterOf.put(s, found);
        }
        if (clusters.size() > 1) {
            List<String> list = clusters.stream().map(o -> Arrays.toString(roundArr(o))).toList();
            reasons.add(new Reason(Reason.Code.MIXED_ORIENTATION, "The series has " + clusters.size()
                    + " slice orientations (ImageOrientationPatient): " + head(list)
                    + ". A localizer or a mix of planes cannot be one volume.", CompletenessStatus.INCONSISTENT));
        }

        // Group by (orientation, stack, echo, temporal position); LinkedHashMap keeps a stable reporting order.
        Map<String, List<double[]>> groups = new LinkedHashMap<>();
        Map<String, String> stackOfGroup = new HashMap<>();
        for (Slice s : slices) {
            Integer c = clusterOf.get(s);
            if (c == null) {
                continue;
            }
            String stackKey = c + "|" + s.stack;
            String key = stackKey + "|" + s.echo + "|" + s.temporal;
            double[] o = clusters.get(c);
            double[] n = normal(o);
            double pos = s.position[0] * n[0] + s.position[1] * n[1] + s.position[2] * n[2];
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(new double[] {pos});
            stackOfGroup.put(key, stackKey);
        }

        int totalVolumes = 0, bestPositions = 0, bestSize = 0;
        Double bestSpacing = null;
        Map<String, Integer> maxPositionsPerStack = new HashMap<>();
        Map<String, Integer> positionsOfGroup = new LinkedHashMap<>();
        for (Map.Entry<String, List<double[]>> e : groups.entrySet()) {
            String where = groups.size() > 1 ? " in group " + describe(e.getKey()) : "";
            double[] s = e.getValue().stream().mapToDouble(a -> a[0]).sorted().toArray();
            // Merge equal positions, counting repetitions.
            List<Double> positions = new ArrayList<>();
            List<Integer> counts = new ArrayList<>();
            for (double v : s) {
                if (!positions.isEmpty() && v - positions.get(positions.size() - 1) <= t.samePositionMm()) {
                    counts.set(counts.size() - 1, counts.get(counts.size() - 1) + 1);
                } else {
                    positions.add(v);
                    counts.add(1);
                }
            }
            int m = modalCount(counts);
            totalVolumes += m;
            checkRepetitions(positions, counts, m, where, reasons);
            int[] missingInside = new int[1];
            Double d = checkSpacing(positions, t, where, reasons, missingInside);
            // Slices already reported as inside gaps count as present for the comparison across groups.
            positionsOfGroup.put(e.getKey(), positions.size() + missingInside[0]);
            maxPositionsPerStack.merge(stackOfGroup.get(e.getKey()), positions.size(), Math::max);
            if (s.length > bestSize) {
                bestSize = s.length;
                bestPositions = positions.size();
                bestSpacing = d;
            }
        }
        for (Map.Entry<String, Integer> e : positionsOfGroup.entrySet()) {
            int max = maxPositionsPerStack.get(stackOfGroup.get(e.getKey()));
            // Gaps inside a group were reported above; this catches a group that lost slices at its ends.
            if (e.getValue() < max) {
                reasons.add(new Reason(Reason.Code.MISSING_SLICE, "Group " + describe(e.getKey()) + " has "
                        + e.getValue() + " slice positions where other groups of the same orientation have " + max + ".",
                        CompletenessStatus.INCOMPLETE));
            }
        }
        return new SliceSummary(bestPositions, totalVolumes, bestSpacing, bestSize);
    }

    private static void checkRepetitions(List<Double> positions, List<Integer> counts, int m, String where,
                                         List<Reason> reasons) {
        List<String> fewer = new ArrayList<>(), more = new ArrayList<>();
        for (int i = 0; i < positions.size(); i++) {
            String at = String.format(Locale.ROOT, "%.2f mm (%d)", positions.get(i), counts.get(i));
            if (counts.get(i) < m) {
                fewer.add(at);
            } else if (counts.get(i) > m) {
                more.add(at);
            }
        }
        if (!fewer.isEmpty()) {
            reasons.add(new Reason(Reason.Code.MISSING_SLICE, fewer.size() + " slice position(s)" + where
                    + " occur fewer times than the " + m + " repetitions of the others, so some volume lacks them: "
                    + head(fewer) + ".", CompletenessStatus.INCOMPLETE));
        }
        if (!more.isEmpty()) {
            reasons.add(new Reason(Reason.Code.DUPLICATE_INSTANCE, more.size() + " slice position(s)" + where
                    + " occur more often than the " + m + " repetition(s) of the others: " + head(more)
                    + ". Extra instances at one position, echo and temporal position.", CompletenessStatus.INCONSISTENT));
        }
    }

    /** Reports missing slices and uneven spacing; returns the median spacing or null. */
    private static Double checkSpacing(List<Double> positions, Tolerances t, String where, List<Reason> reasons,
                                       int[] missingOut) {
        if (positions.size() < 2) {
            return null;
        }
        double[] deltas = new double[positions.size() - 1];
        for (int i = 0; i < deltas.length; i++) {
            deltas[i] = positions.get(i + 1) - positions.get(i);
        }
        double d = median(deltas);
        double tol = Math.max(t.absoluteSpacingMm(), t.relativeSpacing() * d);
        int missing = 0;
        List<String> gapAt = new ArrayList<>(), unevenAt = new ArrayList<>();
        double minUneven = Double.POSITIVE_INFINITY, maxUneven = 0;
        for (int i = 0; i < deltas.length; i++) {
            double delta = deltas[i];
            if (Math.abs(delta - d) <= tol) {
                continue;
            }
            long k = Math.round(delta / d);
            if (k >= 2 && Math.abs(delta - k * d) <= tol) {
                missing += (int) (k - 1);
                gapAt.add(String.format(Locale.ROOT, "%d between %.2f and %.2f mm", k - 1, positions.get(i), positions.get(i + 1)));
            } else {
                unevenAt.add(String.format(Locale.ROOT, "%.3f mm after %.2f mm", delta, positions.get(i)));
                minUneven = Math.min(minUneven, delta);
                maxUneven = Math.max(maxUneven, delta);
            }
        }
        missingOut[0] = missing;
        if (missing > 0) {
            reasons.add(new Reason(Reason.Code.MISSING_SLICE, String.format(Locale.ROOT, "%d slice(s) missing%s: the "
                    + "gap is a multiple of the %.3f mm spacing (%s).", missing, where, d, head(gapAt)),
                    CompletenessStatus.INCOMPLETE));
        }
        if (!unevenAt.isEmpty()) {
            reasons.add(new Reason(Reason.Code.UNEVEN_SPACING, String.format(Locale.ROOT, "%d slice spacing(s)%s differ "
                    + "from the median %.3f mm by more than %.3f mm (range %.3f..%.3f mm): %s.", unevenAt.size(), where,
                    d, tol, minUneven, maxUneven, head(unevenAt)), CompletenessStatus.INCONSISTENT));
        }
        return d;
    }

    private static void checkCounts(List<InstanceGeometry> unique, List<Slice> slices, SliceSummary summary,
                                    SeriesExpectations exp, List<Reason> reasons) {
        Integer announcedT = mode(unique.stream().map(InstanceGeometry::numberOfTemporalPositions).toList());
        if (announcedT != null && announcedT > 0) {
            Set<Integer> temporal = new HashSet<>();
            slices.forEach(s -> { if (s.temporal != null) temporal.add(s.temporal); });
            if (!temporal.isEmpty() && temporal.size() != announcedT) {
                countMismatch(reasons, "NumberOfTemporalPositions", announcedT, temporal.size(),
                        "distinct temporal positions");
            } else if (temporal.isEmpty() && summary.maxGroupSize > 0) {
                int repetitions = summary.positions == 0 ? 0 : summary.maxGroupSize / summary.positions;
                // Without identifiers only a shortfall is certain: vendors count echoes and directions differently.
                if (repetitions < announcedT) {
                    countMismatch(reasons, "NumberOfTemporalPositions", announcedT, repetitions, "repetitions per position");
                }
            }
        }
        Integer announcedImages = mode(unique.stream().map(InstanceGeometry::imagesInAcquisition).toList());
        if (announcedImages != null && announcedImages > 0) {
            Map<Integer, Integer> perAcquisition = new HashMap<>();
            slices.forEach(s -> perAcquisition.merge(s.acquisition == null ? -1 : s.acquisition, 1, Integer::sum));
            int best = Math.max(slices.size(), Math.max(summary.maxGroupSize, summary.positions));
            best = Math.max(best, perAcquisition.values().stream().mapToInt(Integer::intValue).max().orElse(0));
            // Vendors mean the whole series, one acquisition or one volume; only fewer than all of these is missing.
            if (best < announcedImages) {
                countMismatch(reasons, "ImagesInAcquisition", announcedImages, best, "images");
            }
        }
        if (exp.instances() != null && exp.instances() != unique.size()) {
            countMismatch(reasons, "the expected instance count", exp.instances(), unique.size(), "instances");
        }
        if (exp.slicesPerVolume() != null && exp.slicesPerVolume() != summary.positions) {
            countMismatch(reasons, "the expected slices per volume", exp.slicesPerVolume(), summary.positions,
                    "slice positions");
        }
        if (exp.volumes() != null && exp.volumes() != summary.volumes) {
            countMismatch(reasons, "the expected volume count", exp.volumes(), summary.volumes, "volumes");
        }
    }

    private static void countMismatch(List<Reason> reasons, String what, int expected, int found, String unit) {
        boolean fewer = found < expected;
        reasons.add(new Reason(Reason.Code.COUNT_MISMATCH, String.format(Locale.ROOT, "%s says %d but the series has "
                + "%d %s (%s).", Character.toUpperCase(what.charAt(0)) + what.substring(1), expected, found, unit,
                fewer ? "some are missing" : "more than announced"),
                fewer ? CompletenessStatus.INCOMPLETE : CompletenessStatus.INCONSISTENT));
    }

    // ---- small helpers ----

    static double[] normal(double[] o) {
        double[] n = {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]};
        double len = Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
        return new double[] {n[0] / len, n[1] / len, n[2] / len};
    }

    private static boolean close(double[] a, double[] b, double tol) {
        for (int i = 0; i < 6; i++) {
            if (Math.abs(a[i] - b[i]) > tol) {
                return false;
            }
        }
        return true;
    }

    private static double[] roundArr(double[] v) {
        return Arrays.stream(v).map(x -> Math.round(x * 1e4) / 1e4).toArray();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** Most frequent count; ties go to the larger count. */
    private static int modalCount(List<Integer> counts) {
        Map<Integer, Integer> freq = new HashMap<>();
        counts.forEach(c -> freq.merge(c, 1, Integer::sum));
        return freq.entrySet().stream()
                .max(Comparator.<Map.Entry<Integer, Integer>>comparingInt(Map.Entry::getValue)
                        .thenComparingInt(Map.Entry::getKey))
                .map(Map.Entry::getKey).orElse(1);
    }

    private static Integer mode(List<Integer> values) {
        Map<Integer, Integer> freq = new HashMap<>();
        values.stream().filter(Objects::nonNull).forEach(v -> freq.merge(v, 1, Integer::sum));
        return freq.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    }

    private static String describe(String groupKey) {
        String[] p = groupKey.split("\\|", -1);
        return String.format(Locale.ROOT, "[orientation %s, stack %s, echo %s, temporal %s]", p[0], p[1], p[2], p[3]);
    }

    private static String label(InstanceGeometry g) {
        return "instance " + (g.instanceNumber() == null ? "?" : g.instanceNumber())
                + (g.sopInstanceUid() == null ? "" : " (" + g.sopInstanceUid() + ")");
    }

    private static String head(List<String> items) {
        int max = 5;
        return items.size() <= max ? String.join(", ", items)
                : String.join(", ", items.subList(0, max)) + " and " + (items.size() - max) + " more";
    }
}
