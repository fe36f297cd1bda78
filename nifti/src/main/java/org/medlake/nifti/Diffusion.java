package org.medlake.nifti;

import java.util.List;
import java.util.Locale;

/**
 * FSL bval/bvec texts of a diffusion volume set, as dcm2niix writes them: one b-value per volume; gradients turned
 * from patient space into image space (components along the affine's three voxel axes, so the row flip negates y),
 * and the x component negated when the affine's determinant is positive (FSL's radiological convention).
 * b = 0 volumes get a zero vector.
 */
final class Diffusion {
    private Diffusion() {}

    /** {bval, bvec}, or {@code null} when the set has a single volume or no b-values. */
    static String[] texts(VolumeSet vs, double[][] sform) {
        if (vs.nt() < 2) {
            return null;
        }
        List<List<Slice>> vols = vs.slices();
        boolean any = false;
        for (List<Slice> v : vols) {
            any |= !Double.isNaN(v.get(0).bValue);
        }
        if (!any) {
            return null;
        }
        // image axes as unit vectors in LPS, from the final affine (RAS columns with x and y negated back)
        double[][] axis = new double[3][];
        for (int a = 0; a < 3; a++) {
            axis[a] = Vec.normalize(new double[] {-sform[0][a], -sform[1][a], sform[2][a]});
        }
        double det = sform[0][0] * (sform[1][1] * sform[2][2] - sform[1][2] * sform[2][1])
                - sform[0][1] * (sform[1][0] * sform[2][2] - sform[1][2] * sform[2][0])
                + sform[0][2] * (sform[1][0] * sform[2][1] - sform[1][1] * sform[2][0]);
        StringBuilder bval = new StringBuilder();
        StringBuilder[] bvec = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
        for (int t = 0; t < vols.size(); t++) {
            Slice s = vols.get(t).get(0);
            double b = Double.isNaN(s.bValue) ? 0 : s.bValue;
            double[] g = s.gradient == null || b == 0 ? new double[3] : Vec.normalize(s.gradient);
            double[] img = {Vec.dot(g, axis[0]), Vec.dot(g, axis[1]), Vec.dot(g, axis[2])};
            if (det > 0) {
                img[0] = -img[0];
            }
            String sep = t == 0 ? "" : " ";
            bval.append(sep).append(fmt(b));
            for (int a = 0; a < 3; a++) {
                bvec[a].append(sep).append(fmt(img[a] == 0 ? 0 : img[a]));
            }
        }
        return new String[] {bval + "\n", bvec[0] + "\n" + bvec[1] + "\n" + bvec[2] + "\n"};
    }

    static String fmt(double v) {
        if (v == Math.rint(v)) {
            return Long.toString((long) v);
        }
        String s = String.format(Locale.ROOT, "%.6f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
