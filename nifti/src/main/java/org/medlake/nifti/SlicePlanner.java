package org.medlake.nifti;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Arranges the slices of one series into output volume sets, as dcm2niix would:
 * <ol>
 *   <li>slices are split into separate outputs by SeriesNumber, matrix size, orientation, pixel spacing, echo and
 *       magnitude/phase (suffixes {@code _e2}, {@code _ph}, {@code _2} …);</li>
 *   <li>within an output, slices are grouped by their position along the slice normal; every position must hold
 *       the same number of slices, which become the volumes (4D), ordered by the volume key (temporal position,
 *       dimension index, InstanceNumber, frame);</li>
 *   <li>positions are sorted along the normal (row direction × column direction), ascending, as dcm2niix sorts
 *       classic 2D images whatever their InstanceNumbers; mosaic tiles and enhanced frames keep the order the scanner
 *       gave them (tile index, InStackPositionNumber), which is what dcm2niix keeps for those;</li>
 *   <li>the slice vector is (last position − first position)/(n − 1): the affine's third column is the mean step
 *       from the first slice to the last (the normal times the spacing, except for gantry-tilted CT).</li>
 * </ol>
 */
final class SlicePlanner {
    /** Positions closer than this along the normal (mm) are the same slice position. */
    static final double POSITION_TOLERANCE = 0.01;

    private SlicePlanner() {}

    /**
     * @throws NiftiException NIFTI_INCONSISTENT_SERIES when positions hold different numbers of slices
     */
    static List<VolumeSet> plan(List<Slice> all) {
        Map<String, List<Slice>> groups = new LinkedHashMap<>();
        List<Slice> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingInt((Slice s) -> s.source.seriesNumber).thenComparingInt(s -> s.echo)
                .thenComparing(s -> s.phase).thenComparingInt(s -> s.source.instanceNumber));
        for (Slice s : sorted) {
            groups.computeIfAbsent(splitKey(s), k -> new ArrayList<>()).add(s);
        }
        boolean multiEcho = all.stream().mapToInt(s -> s.echo).distinct().count() > 1;
        List<VolumeSet> out = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (List<Slice> g : groups.values()) {
            Slice s = g.get(0);
            String suffix = (multiEcho ? "_e" + s.echo : "") + (s.phase ? "_ph" : "");
            int n = seen.merge(s.source.seriesNumber + "|" + suffix, 1, Integer::sum);
            out.add(volumes(g, n == 1 ? suffix : suffix + "_" + n));
        }
        return out;
    }

    private static String splitKey(Slice s) {
        double[] o = s.orientation;
        // series number first: callers grouping by SeriesInstanceUID alone get dcm2niix's split by SeriesNumber
        StringBuilder k = new StringBuilder().append(s.source.seriesNumber).append('|').append(s.rows).append('x')
                .append(s.columns).append('|');
        for (double v : o) {
            k.append(Math.round(v * 1000) + 0).append(',');
        }
        return k.append('|').append(Math.round(s.dx * 10000)).append(',').append(Math.round(s.dy * 10000)).append('|')
                .append(s.echo).append('|').append(s.phase).toString();
    }

    /** Arranges one output's slices into [volume][slice]. */
    static VolumeSet volumes(List<Slice> g, String suffix) {
        double[] normal = g.get(0).normal();
        List<Slice> byPos = new ArrayList<>(g);
        byPos.sort(Comparator.comparingDouble(s -> Vec.dot(s.position, normal)));
        List<List<Slice>> positions = new ArrayList<>();
        double last = Double.NaN;
        for (Slice s : byPos) {
            double p = Vec.dot(s.position, normal);
            if (positions.isEmpty() || Math.abs(p - last) > POSITION_TOLERANCE) {
                positions.add(new ArrayList<>());
                last = p;
            }
            positions.get(positions.size() - 1).add(s);
        }
        int nt = positions.get(0).size();
        for (List<Slice> p : positions) {
            if (p.size() != nt) {
                throw new NiftiException(NiftiException.ErrorCode.NIFTI_INCONSISTENT_SERIES, "The series has "
                        + positions.size() + " slice positions but they hold different numbers of images (" + nt
                        + " at the first, " + p.size() + " at " + String.format(Locale.ROOT, "%.2f", Vec.dot(p.get(0).position, normal))
                        + " mm). Cause: missing or duplicated instances, or a series that mixes acquisitions. Fix: "
                        + "supply every instance of the series once.");
            }
            p.sort(SlicePlanner::compareVolumeKey);
        }
        // dcm2niix keeps the scanner's order: reverse when the scanner numbered from the far end.
        if (positions.size() > 1 && positions.get(0).get(0).orderHint > positions.get(positions.size() - 1).get(0).orderHint) {
            java.util.Collections.reverse(positions);
        }
        int nz = positions.size();
        List<List<Slice>> vols = new ArrayList<>();
        for (int t = 0; t < nt; t++) {
            List<Slice> v = new ArrayList<>(nz);
            for (List<Slice> p : positions) {
                v.add(p.get(t));
            }
            vols.add(v);
        }
        double[] sliceVector;
        Slice first = vols.get(0).get(0);
        if (nz > 1) {
            // the mean step from the first to the last position: along the normal for ordinary series, and with the
            // table's direction for gantry-tilted CT, so every slice keeps its true position (a sheared sform)
            sliceVector = Vec.scale(Vec.sub(vols.get(0).get(nz - 1).position, first.position), 1.0 / (nz - 1));
        } else {
            sliceVector = Vec.scale(normal, SliceExtractor.sliceSpacing(first.source.header));
        }
        return new VolumeSet(vols, sliceVector, suffix);
    }

    private static int compareVolumeKey(Slice a, Slice b) {
        int n = Math.min(a.volumeKey.length, b.volumeKey.length);
        for (int i = 0; i < n; i++) {
            int c = Double.compare(a.volumeKey[i], b.volumeKey[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.volumeKey.length, b.volumeKey.length);
    }
}
