package org.medlake.curation.qa;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pure image-quality math on float frames (row-major, {@code rows × columns}, values in output units). No I/O,
 * no DICOM: every method is testable with planted values. A method returns {@code NaN} (or a null field) when its
 * quantity cannot be measured on the input, never a made-up number.
 *
 * <h2>Formulas</h2>
 * <ul>
 *   <li><b>Foreground mask</b> {@code F}: pixels above Otsu's threshold (the grey level that maximises the
 *       between-class variance of a 256-bin histogram of the frame).</li>
 *   <li><b>MR SNR</b> ({@code mr_snr_v1}): per slice, {@code SNR = 0.655 · mean(F) / sd(B)}, with {@code B} the four
 *       corner squares of side {@code max(3, min(rows, cols)/8)} that hold under 10 % foreground. Magnitude
 *       background noise is Rayleigh-distributed with {@code sd = sqrt(2 − π/2) · σ ≈ 0.655 σ}, so the factor gives
 *       SNR relative to the Gaussian σ of the complex data. Median over up to 5 evenly spaced central slices.</li>
 *   <li><b>EPI ghosting ratio</b> ({@code epi_ghost_v1}): with {@code G = shift(F, N/2 along the phase-encoding
 *       axis, cyclic) \ F} and {@code B} = all other pixels,
 *       {@code ghost = (mean(G) − mean(B)) / mean(F)}. Median over central slices.</li>
 *   <li><b>Temporal SNR</b> ({@code tsnr_v1}): per voxel of the foreground of the mean image,
 *       {@code tSNR = mean_t(x) / sd_t(x − linear fit in t)} (residual sd with n − 2 degrees of freedom);
 *       the median over voxels.</li>
 *   <li><b>CT noise</b> ({@code ct_noise_v1}): the slices are cut into square tiles; tiles whose pixels are all above
 *       −300 HU and whose mean is in [−150, 300] HU are soft-tissue candidates. With {@code q25} the 25th
 *       percentile of their sample SDs, tiles with {@code sd ≤ 2·q25} are homogeneous (edges removed);
 *       {@code noise = median(sd)} of those. At least 5 candidates are required.</li>
 *   <li><b>CT air</b> ({@code ct_air_v1}): median tile mean of tiles with mean in [−1100, −900] HU and sd below
 *       100 HU (at least 4 tiles). <b>CT water</b> ({@code ct_water_v1}): median mean of the homogeneous tiles with
 *       mean in [−15, 15] HU, reported only when they are at least half of the homogeneous tiles (a water phantom
 *       or a dominant fluid region), so that soft tissue (30–60 HU) or a little CSF is not taken for water.</li>
 *   <li><b>Pixel range</b> ({@code pixel_range_v1}): fraction of stored values outside
 *       {@code [0, 2^BitsStored − 1]} (unsigned) or {@code [−2^(BitsStored−1), 2^(BitsStored−1) − 1]} (signed).</li>
 *   <li><b>Blank frames</b> ({@code blank_frames_v1}): fraction of frames whose pixels are all equal (sd = 0).</li>
 *   <li><b>Saturated frames</b> ({@code saturated_frames_v1}): fraction of frames in which more than
 *       {@code pixelFraction} of the stored values equal the largest value BitsStored allows.</li>
 * </ul>
 */
public final class QaMetrics {
    /** sqrt(2 − π/2): sd of a Rayleigh distribution over the σ of the underlying Gaussian. */
    public static final double RAYLEIGH_FACTOR = 0.655;

    private QaMetrics() {}

    // ------------------------------------------------------------------ masks

    /** Otsu's threshold over a 256-bin histogram between the frame's min and max; NaN for a constant frame. */
    public static double otsuThreshold(float[] v) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        if (!(max > min)) {
            return Double.NaN;
        }
        int bins = 256;
        long[] h = new long[bins];
        double w = (max - min) / bins;
        for (float x : v) {
            h[Math.min(bins - 1, (int) ((x - min) / w))]++;
        }
        double total = v.length, sumAll = 0;
        for (int i = 0; i < bins; i++) {
            sumAll += i * (double) h[i];
        }
        double sumB = 0, wB = 0, best = -1;
        int bestI = 0;
        for (int i = 0; i < bins; i++) {
            wB += h[i];
            if (wB == 0) {
                continue;
            }
            double wF = total - wB;
            if (wF == 0) {
                break;
            }
            sumB += i * (double) h[i];
            double mB = sumB / wB, mF = (sumAll - sumB) / wF;
            double between = wB * wF * (mB - mF) * (mB - mF);
            if (between > best) {
                best = between;
                bestI = i;
            }
        }
        return min + (bestI + 1) * w;
    }

    /** Pixels above Otsu's threshold; all false for a constant frame. */
    public static boolean[] foreground(float[] v) {
        double t = otsuThreshold(v);
        boolean[] m = new boolean[v.length];
        if (Double.isNaN(t)) {
            return m;
        }
        for (int i = 0; i < v.length; i++) {
            m[i] = v[i] > t;
        }
        return m;
    }

    // ------------------------------------------------------------------ MR

    /** MR SNR of a volume: median of {@link #mrSnrSlice} over up to 5 central slices; NaN when none measurable. */
    public static double mrSnr(List<float[]> slices, int rows, int cols) {
        List<Double> values = new ArrayList<>();
        for (int i : centralIndices(slices.size(), 5)) {
            double s = mrSnrSlice(slices.get(i), rows, cols);
            if (Double.isFinite(s)) {
                values.add(s);
            }
        }
        return median(values);
    }

    /** {@code 0.655 · mean(foreground) / sd(background corners)}; NaN when the corners hold signal or are constant. */
    public static double mrSnrSlice(float[] img, int rows, int cols) {
        boolean[] fg = foreground(img);
        double[] signal = meanSd(img, fg, true);
        int k = Math.max(3, Math.min(rows, cols) / 8);
        List<Float> bg = new ArrayList<>();
        int[][] corners = {{0, 0}, {0, cols - k}, {rows - k, 0}, {rows - k, cols - k}};
        for (int[] c : corners) {
            int inFg = 0;
            List<Float> px = new ArrayList<>();
            for (int r = c[0]; r < c[0] + k; r++) {
                for (int q = c[1]; q < c[1] + k; q++) {
                    px.add(img[r * cols + q]);
                    inFg += fg[r * cols + q] ? 1 : 0;
                }
            }
            // A corner that is mostly object (body filling the field of view) is no noise sample.
            if (inFg < 0.1 * k * k) {
                bg.addAll(px);
            }
        }
        if (bg.size() < 9 || signal[2] == 0) {
            return Double.NaN;
        }
        double[] b = meanSd(bg);
        if (!(b[1] > 0)) {
            return Double.NaN;
        }
        return RAYLEIGH_FACTOR * signal[0] / b[1];
    }

    /**
     * EPI ghosting ratio of one slice: {@code (mean(G) − mean(B)) / mean(F)} with {@code G} the foreground shifted
     * by half the field of view along the phase-encoding axis.
     *
     * @param phaseAlongColumns true when InPlanePhaseEncodingDirection is COL (phase varies with the row index)
     */
    public static double ghostingRatioSlice(float[] img, int rows, int cols, boolean phaseAlongColumns) {
        boolean[] fg = foreground(img);
        boolean[] ghost = new boolean[img.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int rr = phaseAlongColumns ? (r + rows / 2) % rows : r;
                int cc = phaseAlongColumns ? c : (c + cols / 2) % cols;
                int from = r * cols + c, to = rr * cols + cc;
                if (fg[from] && !fg[to]) {
                    ghost[to] = true;
                }
            }
        }
        boolean[] bg = new boolean[img.length];
        for (int i = 0; i < img.length; i++) {
            bg[i] = !fg[i] && !ghost[i];
        }
        double[] s = meanSd(img, fg, true), g = meanSd(img, ghost, true), b = meanSd(img, bg, true);
        if (s[2] == 0 || g[2] == 0 || b[2] == 0 || s[0] == 0) {
            return Double.NaN;
        }
        return (g[0] - b[0]) / s[0];
    }

    /** Ghosting ratio of a volume: median of {@link #ghostingRatioSlice} over up to 5 central slices. */
    public static double ghostingRatio(List<float[]> slices, int rows, int cols, boolean phaseAlongColumns) {
        List<Double> values = new ArrayList<>();
        for (int i : centralIndices(slices.size(), 5)) {
            double g = ghostingRatioSlice(slices.get(i), rows, cols, phaseAlongColumns);
            if (Double.isFinite(g)) {
                values.add(g);
            }
        }
        return median(values);
    }

    /**
     * Temporal SNR: median over foreground voxels of {@code mean_t / sd_t} after removing a linear trend.
     *
     * @param volumes time points, each an array of the same voxels in the same order; at least 4
     * @return NaN with fewer than 4 time points or no foreground
     */
    public static double temporalSnr(List<float[]> volumes) {
        int n = volumes.size();
        if (n < 4) {
            return Double.NaN;
        }
        int voxels = volumes.get(0).length;
        float[] mean = new float[voxels];
        for (float[] v : volumes) {
            for (int i = 0; i < voxels; i++) {
                mean[i] += v[i] / n;
            }
        }
        boolean[] fg = foreground(mean);
        double tMean = (n - 1) / 2.0, tVar = 0;
        for (int t = 0; t < n; t++) {
            tVar += (t - tMean) * (t - tMean);
        }
        List<Double> tsnr = new ArrayList<>();
        for (int i = 0; i < voxels; i++) {
            if (!fg[i]) {
                continue;
            }
            double m = 0;
            for (float[] v : volumes) {
                m += v[i];
            }
            m /= n;
            double cov = 0;
            for (int t = 0; t < n; t++) {
                cov += (t - tMean) * (volumes.get(t)[i] - m);
            }
            double slope = cov / tVar, ss = 0;
            for (int t = 0; t < n; t++) {
                double res = volumes.get(t)[i] - m - slope * (t - tMean);
                ss += res * res;
            }
            double sd = Math.sqrt(ss / (n - 2));
            if (sd > 0) {
                tsnr.add(m / sd);
            }
        }
        return median(tsnr);
    }

    // ------------------------------------------------------------------ CT

    /**
     * CT tile statistics in HU.
     *
     * @param noiseHu median sd of homogeneous soft-tissue tiles, NaN when fewer than 5 candidates
     * @param homogeneousTiles tiles that entered the noise median
     * @param airHu median mean of air tiles, null when fewer than 4
     * @param waterHu median mean of water tiles, null unless they are ≥ 50 % of the homogeneous tiles
     */
    public record CtStats(double noiseHu, int homogeneousTiles, Double airHu, int airTiles, Double waterHu, int waterTiles) {}

    /** CT noise, air and water from square tiles of side {@code tile} over up to 5 central slices. */
    public static CtStats ct(List<float[]> slices, int rows, int cols, int tile) {
        int t = Math.max(3, tile);
        List<double[]> candidates = new ArrayList<>();
        List<Double> air = new ArrayList<>();
        for (int i : centralIndices(slices.size(), 5)) {
            float[] img = slices.get(i);
            for (int r0 = 0; r0 + t <= rows; r0 += t) {
                for (int c0 = 0; c0 + t <= cols; c0 += t) {
                    double sum = 0, sum2 = 0, min = Double.POSITIVE_INFINITY;
                    for (int r = r0; r < r0 + t; r++) {
                        for (int c = c0; c < c0 + t; c++) {
                            double x = img[r * cols + c];
                            sum += x;
                            sum2 += x * x;
                            min = Math.min(min, x);
                        }
                    }
                    int n = t * t;
                    double mean = sum / n;
                    double sd = Math.sqrt(Math.max(0, (sum2 - n * mean * mean) / (n - 1)));
                    if (min > -300 && mean >= -150 && mean <= 300) {
                        candidates.add(new double[] {mean, sd});
                    } else if (mean >= -1100 && mean <= -900 && sd < 100) {
                        air.add(mean);
                    }
                }
            }
        }
        Double airHu = air.size() >= 4 ? median(air) : null;
        if (candidates.size() < 5) {
            return new CtStats(Double.NaN, 0, airHu, air.size(), null, 0);
        }
        double q25 = percentile(candidates.stream().mapToDouble(c -> c[1]).toArray(), 25);
        List<Double> sds = new ArrayList<>(), water = new ArrayList<>();
        for (double[] c : candidates) {
            if (c[1] <= 2 * q25) {
                sds.add(c[1]);
                if (c[0] >= -15 && c[0] <= 15) {
                    water.add(c[0]);
                }
            }
        }
        Double waterHu = !water.isEmpty() && water.size() >= 0.5 * sds.size() ? median(water) : null;
        return new CtStats(median(sds), sds.size(), airHu, air.size(), waterHu, water.size());
    }

    // ------------------------------------------------------------------ all modalities

    /** Fraction of stored values outside the range BitsStored allows. */
    public static double pixelRangeViolation(PixelVolume v) {
        long bad = 0, total = (long) v.rows() * v.columns() * v.frameCount();
        for (int i = 0; i < v.frameCount(); i++) {
            bad += v.outOfRange(i);
        }
        return total == 0 ? Double.NaN : (double) bad / total;
    }

    /** Whether every pixel of the frame has the same value. */
    public static boolean isBlank(float[] frame) {
        for (float x : frame) {
            if (x != frame[0]) {
                return false;
            }
        }
        return true;
    }

    /** Fraction of blank frames. */
    public static double blankFrameFraction(List<float[]> frames) {
        if (frames.isEmpty()) {
            return Double.NaN;
        }
        return frames.stream().filter(QaMetrics::isBlank).count() / (double) frames.size();
    }

    /** Fraction of frames with more than {@code pixelFraction} of stored values at the largest representable value. */
    public static double saturatedFrameFraction(PixelVolume v, double pixelFraction) {
        if (v.frameCount() == 0) {
            return Double.NaN;
        }
        long px = (long) v.rows() * v.columns();
        int saturated = 0;
        for (int i = 0; i < v.frameCount(); i++) {
            saturated += v.atMax(i) > pixelFraction * px ? 1 : 0;
        }
        return saturated / (double) v.frameCount();
    }

    // ------------------------------------------------------------------ helpers

    /** Up to {@code max} indices evenly spread over the central half of {@code n} (all of them when n is small). */
    static int[] centralIndices(int n, int max) {
        if (n <= 0) {
            return new int[0];
        }
        int lo = n / 4, hi = n - 1 - n / 4;
        int count = Math.min(max, hi - lo + 1);
        int[] idx = new int[count];
        for (int i = 0; i < count; i++) {
            idx[i] = count == 1 ? (lo + hi) / 2 : lo + (int) Math.round(i * (hi - lo) / (double) (count - 1));
        }
        return idx;
    }

    /** {mean, sample sd, count} of the masked (or unmasked when {@code want} is false) pixels. */
    static double[] meanSd(float[] v, boolean[] mask, boolean want) {
        double sum = 0, sum2 = 0;
        long n = 0;
        for (int i = 0; i < v.length; i++) {
            if (mask[i] == want) {
                sum += v[i];
                sum2 += (double) v[i] * v[i];
                n++;
            }
        }
        if (n == 0) {
            return new double[] {Double.NaN, Double.NaN, 0};
        }
        double mean = sum / n;
        double sd = n > 1 ? Math.sqrt(Math.max(0, (sum2 - n * mean * mean) / (n - 1))) : 0;
        return new double[] {mean, sd, n};
    }

    static double[] meanSd(List<Float> v) {
        float[] a = new float[v.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = v.get(i);
        }
        boolean[] all = new boolean[a.length];
        return meanSd(a, all, false);
    }

    static double median(List<Double> v) {
        if (v.isEmpty()) {
            return Double.NaN;
        }
        return percentile(v.stream().mapToDouble(Double::doubleValue).toArray(), 50);
    }

    /** Linear-interpolated percentile {@code p} (0..100). */
    public static double percentile(double[] v, double p) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        double pos = p / 100 * (s.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }
}
