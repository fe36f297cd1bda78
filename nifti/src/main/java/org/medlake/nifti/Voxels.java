package org.medlake.nifti;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The voxel data of a NIfTI image in one primitive array (x fastest, then y, z, t) with its NIfTI datatype.
 * Written little-endian in chunks, never boxed.
 */
final class Voxels {
    static final short DT_UINT8 = 2;
    static final short DT_INT16 = 4;
    static final short DT_INT32 = 8;
    static final short DT_FLOAT32 = 16;
    static final short DT_INT8 = 256;
    static final short DT_UINT16 = 512;
    static final short DT_UINT32 = 768;

    final short datatype;
    final byte[] bytes;
    final short[] shorts;
    final int[] ints;
    final float[] floats;

    private Voxels(short datatype, byte[] b, short[] s, int[] i, float[] f) {
        this.datatype = datatype;
        this.bytes = b;
        this.shorts = s;
        this.ints = i;
        this.floats = f;
    }

    static Voxels of(short datatype, byte[] b) {
        return new Voxels(datatype, b, null, null, null);
    }

    static Voxels of(short datatype, short[] s) {
        return new Voxels(datatype, null, s, null, null);
    }

    static Voxels of(short datatype, int[] i) {
        return new Voxels(datatype, null, null, i, null);
    }

    static Voxels of(float[] f) {
        return new Voxels(DT_FLOAT32, null, null, null, f);
    }

    short bitpix() {
        return (short) switch (datatype) {
            case DT_UINT8, DT_INT8 -> 8;
            case DT_INT16, DT_UINT16 -> 16;
            default -> 32;
        };
    }

    long count() {
        return bytes != null ? bytes.length : shorts != null ? shorts.length : ints != null ? ints.length : floats.length;
    }

    long byteCount() {
        return count() * (bitpix() / 8);
    }

    /** Writes the voxels little-endian. */
    void write(OutputStream out) throws IOException {
        if (bytes != null) {
            out.write(bytes);
            return;
        }
        final int chunk = 1 << 16;
        ByteBuffer buf = ByteBuffer.allocate(chunk * 4).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) count();
        for (int off = 0; off < n; off += chunk) {
            int len = Math.min(chunk, n - off);
            buf.clear();
            if (shorts != null) {
                buf.asShortBuffer().put(shorts, off, len);
                out.write(buf.array(), 0, len * 2);
            } else if (ints != null) {
                buf.asIntBuffer().put(ints, off, len);
                out.write(buf.array(), 0, len * 4);
            } else {
                buf.asFloatBuffer().put(floats, off, len);
                out.write(buf.array(), 0, len * 4);
            }
        }
    }

    /** Voxel {@code i} as stored (before scl_slope/scl_inter). */
    double get(int i) {
        return switch (datatype) {
            case DT_UINT8 -> bytes[i] & 0xFF;
            case DT_INT8 -> bytes[i];
            case DT_INT16 -> shorts[i];
            case DT_UINT16 -> shorts[i] & 0xFFFF;
            case DT_INT32 -> ints[i];
            case DT_UINT32 -> ints[i] & 0xFFFFFFFFL;
            default -> floats[i];
        };
    }
}
