package org.medlake.curation.qa;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.medlake.curation.CurationException;
import org.medlake.curation.ErrorCode;

/**
 * A grey PNG contact sheet of a series for review: up to {@code maxTiles} evenly spaced frames (first and last
 * included) in a grid of {@code ceil(sqrt(n))} columns, each tile box-filtered down so the sheet is at most
 * {@code maxWidth} pixels wide (never enlarged). The grey window runs from the 1st to the 99th percentile of the
 * chosen frames' values, so one bright artefact does not darken the sheet.
 */
public final class Mosaic {
    public static final int DEFAULT_MAX_TILES = 16;
    public static final int DEFAULT_MAX_WIDTH = 512;

    private Mosaic() {}

    /** {@link #png(List, int, int, int, int)} with 16 tiles and 512 pixels. */
    public static byte[] png(List<float[]> frames, int rows, int cols) {
        return png(frames, rows, cols, DEFAULT_MAX_TILES, DEFAULT_MAX_WIDTH);
    }

    /**
     * Renders the contact sheet.
     *
     * @throws CurationException CURATION_BAD_ARGUMENT without frames or with non-positive sizes
     */
    public static byte[] png(List<float[]> frames, int rows, int cols, int maxTiles, int maxWidth) {
        if (frames == null || frames.isEmpty() || rows <= 0 || cols <= 0 || maxTiles <= 0 || maxWidth <= 0) {
            throw new CurationException(ErrorCode.CURATION_BAD_ARGUMENT, "A mosaic needs at least one frame and positive"
                    + " sizes (rows " + rows + ", cols " + cols + ", maxTiles " + maxTiles + ", maxWidth " + maxWidth
                    + "). Cause: a caller bug. Fix: pass the frames of one series.");
        }
        int[] pick = pick(frames.size(), maxTiles);
        int gridCols = (int) Math.ceil(Math.sqrt(pick.length));
        int gridRows = (int) Math.ceil(pick.length / (double) gridCols);
        double scale = Math.min(1.0, maxWidth / (double) (gridCols * cols));
        int tw = Math.max(1, (int) Math.floor(cols * scale));
        int th = Math.max(1, (int) Math.round(rows * scale));
        double[] window = window(frames, pick);
        BufferedImage img = new BufferedImage(gridCols * tw, gridRows * th, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = img.getRaster();
        for (int k = 0; k < pick.length; k++) {
            float[] f = frames.get(pick[k]);
            int ox = (k % gridCols) * tw, oy = (k / gridCols) * th;
            for (int y = 0; y < th; y++) {
                int r0 = (int) ((long) y * rows / th), r1 = Math.max(r0 + 1, (int) ((long) (y + 1) * rows / th));
                for (int x = 0; x < tw; x++) {
                    int c0 = (int) ((long) x * cols / tw), c1 = Math.max(c0 + 1, (int) ((long) (x + 1) * cols / tw));
                    double sum = 0;
                    for (int r = r0; r < r1; r++) {
                        for (int c = c0; c < c1; c++) {
                            sum += f[r * cols + c];
                        }
                    }
                    double v = sum / ((r1 - r0) * (c1 - c0));
                    int g = (int) Math.round(255 * (v - window[0]) / (window[1] - window[0]));
                    raster.setSample(ox + x, oy + y, 0, Math.max(0, Math.min(255, g)));
                }
            }
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new CurationException(ErrorCode.CURATION_INTERNAL, "PNG encoding failed: " + e
                    + ". Fix: report this; ImageIO's PNG writer should always be present.", e);
        }
    }

    /** Indices of up to {@code max} frames evenly spaced over {@code n}, first and last included. */
    static int[] pick(int n, int max) {
        int k = Math.min(n, max);
        int[] idx = new int[k];
        for (int i = 0; i < k; i++) {
            idx[i] = k == 1 ? n / 2 : (int) Math.round(i * (n - 1) / (double) (k - 1));
        }
        return idx;
    }

    private static double[] window(List<float[]> frames, int[] pick) {
        long total = 0;
        for (int i : pick) {
            total += frames.get(i).length;
        }
        int step = (int) Math.max(1, total / 200_000);
        double[] sample = new double[(int) (total / step) + pick.length];
        int n = 0;
        for (int i : pick) {
            float[] f = frames.get(i);
            for (int j = 0; j < f.length; j += step) {
                sample[n++] = f[j];
            }
        }
        double[] s = java.util.Arrays.copyOf(sample, n);
        double lo = QaMetrics.percentile(s, 1), hi = QaMetrics.percentile(s, 99);
        if (!(hi > lo)) {
            hi = lo + 1;
        }
        return new double[] {lo, hi};
    }
}
