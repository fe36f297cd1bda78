package org.medlake.curation.qa;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Synthetic images with planted signal, noise, ghosts and drifts, for the QA math tests. */
final class Phantoms {
    private Phantoms() {}

    static boolean inDisc(int r, int c, double cr, double cc, double radius) {
        return (r - cr) * (r - cr) + (c - cc) * (c - cc) <= radius * radius;
    }

    /**
     * Magnitude MR slices: a disc of signal {@code s} in complex Gaussian noise of sd {@code sigma} per channel, so the
     * background is Rayleigh and the true SNR is s / sigma.
     */
    static List<float[]> mrMagnitude(int n, int size, double radius, double s, double sigma, long seed) {
        Random rnd = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            float[] f = new float[size * size];
            for (int r = 0; r < size; r++) {
                for (int c = 0; c < size; c++) {
                    double re = (inDisc(r, c, size / 2.0, size / 2.0, radius) ? s : 0) + sigma * rnd.nextGaussian();
                    double im = sigma * rnd.nextGaussian();
                    f[r * size + c] = (float) Math.hypot(re, im);
                }
            }
            out.add(f);
        }
        return out;
    }

    /**
     * EPI slice: disc of signal {@code s} at the centre plus a ghost of {@code ratio·s} shifted by half the field of
     * view along the column direction (row index), on zero-mean Gaussian noise.
     */
    static float[] ghosted(int size, double radius, double s, double ratio, double sigma, Random rnd) {
        float[] f = new float[size * size];
        for (int r = 0; r < size; r++) {
            for (int c = 0; c < size; c++) {
                double v = sigma * rnd.nextGaussian();
                if (inDisc(r, c, size / 2.0, size / 2.0, radius)) {
                    v += s;
                }
                int shifted = (r + size / 2) % size; // the ghost pixel at r images the object at r + N/2
                if (inDisc(shifted, c, size / 2.0, size / 2.0, radius)) {
                    v += ratio * s;
                }
                f[r * size + c] = (float) v;
            }
        }
        return f;
    }

    /**
     * BOLD-like time series of {@code t} volumes (each {@code slices} slices of size², concatenated): disc signal
     * {@code s} with a linear drift of {@code drift} per volume and temporal Gaussian noise {@code sigma}.
     */
    static List<float[]> bold(int t, int slices, int size, double s, double sigma, double drift, long seed) {
        Random rnd = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int k = 0; k < t; k++) {
            float[] v = new float[slices * size * size];
            for (int z = 0; z < slices; z++) {
                for (int r = 0; r < size; r++) {
                    for (int c = 0; c < size; c++) {
                        boolean in = inDisc(r, c, size / 2.0, size / 2.0, size * 0.35);
                        v[(z * size + r) * size + c] = (float) ((in ? s + drift * k : 0) + sigma * rnd.nextGaussian());
                    }
                }
            }
            out.add(v);
        }
        return out;
    }

    /** CT slices in HU: air (-1000) around a water cylinder (0 HU) with a bone insert, Gaussian noise sigma. */
    static List<float[]> ctWaterPhantom(int n, int size, double sigma, long seed) {
        Random rnd = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            float[] f = new float[size * size];
            for (int r = 0; r < size; r++) {
                for (int c = 0; c < size; c++) {
                    double hu = -1000;
                    if (inDisc(r, c, size / 2.0, size / 2.0, size * 0.38)) {
                        hu = inDisc(r, c, size / 2.0, size * 0.35, size * 0.06) ? 700 : 0;
                    }
                    f[r * size + c] = (float) (hu + sigma * rnd.nextGaussian());
                }
            }
            out.add(f);
        }
        return out;
    }
}
