package org.medlake.nifti;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The fields of a single-file NIfTI-1 header ({@code .nii}, magic "n+1", data at byte 352) this module writes and
 * reads. Immutable; arrays are copied on the way in and out.
 *
 * @param dim dimensions without dim[0]: {nx, ny, nz} or {nx, ny, nz, nt}
 * @param pixdim voxel sizes matching {@code dim} (mm, and s for time)
 * @param qfac pixdim[0], ±1
 * @param srow the 3×4 sform (RAS+, mm)
 * @param quatern {b, c, d, qx, qy, qz}
 */
public record NiftiHeader(int[] dim, short datatype, short bitpix, double[] pixdim, double qfac, double sclSlope,
                          double sclInter, int qformCode, int sformCode, double[] quatern, double[][] srow,
                          int dimInfo, int sliceCode, int sliceStart, int sliceEnd, double sliceDuration,
                          int xyztUnits, String descrip) {
    public static final int HEADER_SIZE = 348;
    public static final int VOX_OFFSET = 352;

    public NiftiHeader {
        dim = dim.clone();
        pixdim = pixdim.clone();
        quatern = quatern.clone();
        srow = new double[][] {srow[0].clone(), srow[1].clone(), srow[2].clone()};
        descrip = descrip == null ? "" : descrip;
    }

    @Override
    public int[] dim() {
        return dim.clone();
    }

    @Override
    public double[] pixdim() {
        return pixdim.clone();
    }

    @Override
    public double[] quatern() {
        return quatern.clone();
    }

    /** The sform as a copy. */
    @Override
    public double[][] srow() {
        return new double[][] {srow[0].clone(), srow[1].clone(), srow[2].clone()};
    }

    /** Number of voxels. */
    public long voxelCount() {
        long n = 1;
        for (int d : dim) {
            n *= d;
        }
        return n;
    }

    /** The 352 bytes before the data: header plus an empty extension flag. */
    byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(VOX_OFFSET).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, HEADER_SIZE);
        b.put(38, (byte) 'r'); // "regular", as written by the reference implementation
        b.put(39, (byte) dimInfo);
        b.putShort(40, (short) dim.length);
        for (int i = 0; i < dim.length; i++) {
            b.putShort(42 + 2 * i, (short) dim[i]);
        }
        for (int i = dim.length; i < 7; i++) {
            b.putShort(42 + 2 * i, (short) 1);
        }
        b.putShort(70, datatype);
        b.putShort(72, bitpix);
        b.putShort(74, (short) sliceStart);
        b.putFloat(76, (float) qfac);
        for (int i = 0; i < pixdim.length; i++) {
            b.putFloat(80 + 4 * i, (float) pixdim[i]);
        }
        b.putFloat(108, VOX_OFFSET);
        b.putFloat(112, (float) sclSlope);
        b.putFloat(116, (float) sclInter);
        b.putShort(120, (short) sliceEnd);
        b.put(122, (byte) sliceCode);
        b.put(123, (byte) xyztUnits);
        b.putFloat(132, (float) sliceDuration);
        byte[] d = descrip.getBytes(StandardCharsets.US_ASCII);
        b.put(148, d, 0, Math.min(79, d.length));
        b.putShort(252, (short) qformCode);
        b.putShort(254, (short) sformCode);
        for (int i = 0; i < 6; i++) {
            b.putFloat(256 + 4 * i, (float) quatern[i]);
        }
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                b.putFloat(280 + 16 * r + 4 * c, (float) srow[r][c]);
            }
        }
        b.put(344, (byte) 'n');
        b.put(345, (byte) '+');
        b.put(346, (byte) '1');
        return b.array();
    }

    /**
     * Parses a NIfTI-1 header (either byte order).
     *
     * @throws NiftiException NIFTI_BAD_INPUT when the bytes are not a NIfTI-1 header
     */
    static NiftiHeader parse(byte[] bytes, String source) {
        if (bytes.length < HEADER_SIZE) {
            throw notNifti(source, "it is shorter than 348 bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != HEADER_SIZE) {
            b.order(ByteOrder.BIG_ENDIAN);
            if (b.getInt(0) != HEADER_SIZE) {
                throw notNifti(source, "sizeof_hdr is not 348");
            }
        }
        int nd = b.getShort(40);
        if (nd < 1 || nd > 7) {
            throw notNifti(source, "dim[0] is " + nd);
        }
        int[] dim = new int[nd];
        double[] pixdim = new double[nd];
        for (int i = 0; i < nd; i++) {
            dim[i] = b.getShort(42 + 2 * i);
            pixdim[i] = b.getFloat(80 + 4 * i);
        }
        double[] q = new double[6];
        for (int i = 0; i < 6; i++) {
            q[i] = b.getFloat(256 + 4 * i);
        }
        double[][] s = new double[3][4];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                s[r][c] = b.getFloat(280 + 16 * r + 4 * c);
            }
        }
        int end = 148;
        while (end < 228 && bytes[end] != 0) {
            end++;
        }
        return new NiftiHeader(dim, b.getShort(70), b.getShort(72), pixdim, b.getFloat(76), b.getFloat(112),
                b.getFloat(116), b.getShort(252), b.getShort(254), q, s, bytes[39] & 0xFF, bytes[122] & 0xFF,
                b.getShort(74), b.getShort(120), b.getFloat(132), bytes[123] & 0xFF,
                new String(bytes, 148, end - 148, StandardCharsets.US_ASCII));
    }

    static boolean bigEndian(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0) != HEADER_SIZE;
    }

    private static NiftiException notNifti(String source, String why) {
        return new NiftiException(NiftiException.ErrorCode.NIFTI_BAD_INPUT, source + " is not a NIfTI-1 file: " + why
                + ". Cause: a different format (NIfTI-2, Analyze) or a damaged file. Fix: pass a NIfTI-1 .nii or .nii.gz.");
    }

    @Override
    public String toString() {
        return "NiftiHeader[dim=" + Arrays.toString(dim) + ", datatype=" + datatype + ", pixdim=" + Arrays.toString(pixdim)
                + ", scl=" + sclSlope + "/" + sclInter + ", srow=" + Arrays.deepToString(srow) + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NiftiHeader h && Arrays.equals(dim, h.dim) && datatype == h.datatype
                && Arrays.equals(pixdim, h.pixdim) && Arrays.deepEquals(srow, h.srow) && sclSlope == h.sclSlope
                && sclInter == h.sclInter && descrip.equals(h.descrip);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dim) * 31 + datatype;
    }
}
