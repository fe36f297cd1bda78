package org.medlake.nifti;

/**
 * The NIfTI affine of a volume set, as dcm2niix writes it.
 *
 * <p>DICOM gives, in LPS patient space, the first pixel's position {@code P}, the row direction {@code r} (along
 * which the column index grows), the column direction {@code c}, the pixel spacings and the slice vector. dcm2niix
 * stores the image rows bottom-up (it flips the y axis), so voxel {@code (i, j, k)} of the NIfTI is pixel
 * {@code (i, ny−1−j)} of slice {@code k}; the affine therefore starts at the last row and its y column is
 * negated. Finally LPS becomes RAS+ by negating the x and y rows. The same matrix is stored as sform and (as a
 * quaternion) as qform.
 */
final class Geometry {
    private Geometry() {}

    /**
     * The 3×4 RAS sform of a volume whose rows are written bottom-up.
     *
     * @param position LPS position of the first transmitted pixel of the first slice
     * @param iop ImageOrientationPatient (row direction, column direction)
     * @param dx distance between columns, mm
     * @param dy distance between rows, mm
     * @param sliceVector LPS step from one slice to the next
     * @param rows rows per slice (ny)
     */
    static double[][] sform(double[] position, double[] iop, double dx, double dy, double[] sliceVector, int rows) {
        double[] cx = Vec.scale(Vec.row(iop), dx);
        double[] cy = Vec.scale(Vec.col(iop), dy);
        double[] origin = Vec.add(position, Vec.scale(cy, rows - 1));
        cy = Vec.scale(cy, -1);
        double[][] m = new double[3][4];
        for (int a = 0; a < 3; a++) {
            double flip = a < 2 ? -1 : 1;
            m[a][0] = flip * cx[a];
            m[a][1] = flip * cy[a];
            m[a][2] = flip * sliceVector[a];
            m[a][3] = flip * origin[a];
        }
        for (double[] row : m) {
            for (int c = 0; c < 4; c++) {
                row[c] += 0.0; // no negative zeros in the header
            }
        }
        return m;
    }

    /**
     * NIfTI quaternion parameters {b, c, d, qx, qy, qz, qfac, dx, dy, dz} of an affine (nifti_mat44_to_quatern).
     */
    static double[] quaternion(double[][] m) {
        double r11 = m[0][0], r12 = m[0][1], r13 = m[0][2];
        double r21 = m[1][0], r22 = m[1][1], r23 = m[1][2];
        double r31 = m[2][0], r32 = m[2][1], r33 = m[2][2];
        double xd = Math.sqrt(r11 * r11 + r21 * r21 + r31 * r31);
        double yd = Math.sqrt(r12 * r12 + r22 * r22 + r32 * r32);
        double zd = Math.sqrt(r13 * r13 + r23 * r23 + r33 * r33);
        if (xd == 0) { r11 = 1; r21 = 0; r31 = 0; xd = 1; }
        if (yd == 0) { r22 = 1; r12 = 0; r32 = 0; yd = 1; }
        if (zd == 0) { r33 = 1; r13 = 0; r23 = 0; zd = 1; }
        r11 /= xd; r21 /= xd; r31 /= xd;
        r12 /= yd; r22 /= yd; r32 /= yd;
        r13 /= zd; r23 /= zd; r33 /= zd;
        double det = r11 * r22 * r33 - r11 * r32 * r23 - r21 * r12 * r33 + r21 * r32 * r13 + r31 * r12 * r23 - r31 * r22 * r13;
        double qfac = 1;
        if (det <= 0) {
            qfac = -1;
            r13 = -r13; r23 = -r23; r33 = -r33;
        }
        double a = r11 + r22 + r33 + 1;
        double b, c, d;
        if (a > 0.5) {
            a = 0.5 * Math.sqrt(a);
            b = 0.25 * (r32 - r23) / a;
            c = 0.25 * (r13 - r31) / a;
            d = 0.25 * (r21 - r12) / a;
        } else {
            double xx = 1 + r11 - (r22 + r33), yy = 1 + r22 - (r11 + r33), zz = 1 + r33 - (r11 + r22);
            if (xx > 1) {
                b = 0.5 * Math.sqrt(xx); c = 0.25 * (r12 + r21) / b; d = 0.25 * (r13 + r31) / b; a = 0.25 * (r32 - r23) / b;
            } else if (yy > 1) {
                c = 0.5 * Math.sqrt(yy); b = 0.25 * (r12 + r21) / c; d = 0.25 * (r23 + r32) / c; a = 0.25 * (r13 - r31) / c;
            } else {
                d = 0.5 * Math.sqrt(zz); b = 0.25 * (r13 + r31) / d; c = 0.25 * (r23 + r32) / d; a = 0.25 * (r21 - r12) / d;
            }
            if (a < 0) {
                b = -b; c = -c; d = -d;
            }
        }
        return new double[] {b, c, d, m[0][3], m[1][3], m[2][3], qfac, xd, yd, zd};
    }
}
