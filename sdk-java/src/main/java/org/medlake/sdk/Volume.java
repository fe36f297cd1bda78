package org.medlake.sdk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * An image volume of a series, as converted by the lake's curation (NIfTI-1), ready to hand to a tensor library
 * without copying: the voxels in a direct {@link ByteBuffer} plus the geometry.
 *
 * <p><b>Layout.</b> {@link #data()} holds {@code shape[0] * shape[1] * ...} voxels of {@link #dataType()}, in
 * little-endian byte order, with the first axis varying fastest (NIfTI's order: x, then y, then z, then volumes).
 * A tensor library that expects the last axis fastest sees the shape reversed. Stored values are raw; the
 * physical value is {@code stored * scaleSlope() + scaleIntercept()} (slope 1 and intercept 0 when the file has no
 * scaling).
 *
 * <p><b>Geometry.</b> {@link #affine()} maps voxel indices {@code (i, j, k, 1)} to RAS+ millimetres (NIfTI's sform,
 * or the qform when the file has no sform), row-major 4x4. {@link #spacing()} is the voxel size per axis (mm, and
 * the repetition time in seconds for a 4th, temporal axis).
 *
 * <p>Immutable: arrays are copied on the way in and out, and the buffer is read-only.
 */
public final class Volume {
    /** NIfTI-1 voxel types the SDK can deliver. */
    public enum DataType {
        /** unsigned 8-bit (NIfTI code 2). */
        UINT8(2, 1),
        /** signed 16-bit (4). */
        INT16(4, 2),
        /** signed 32-bit (8). */
        INT32(8, 4),
        /** 32-bit IEEE float (16). */
        FLOAT32(16, 4),
        /** 64-bit IEEE float (64). */
        FLOAT64(64, 8),
        /** signed 8-bit (256). */
        INT8(256, 1),
        /** unsigned 16-bit (512). */
        UINT16(512, 2),
        /** unsigned 32-bit (768). */
        UINT32(768, 4),
        /** signed 64-bit (1024). */
        INT64(1024, 8),
        /** unsigned 64-bit (1280). */
        UINT64(1280, 8);

        private final int niftiCode;
        private final int bytes;

        DataType(int niftiCode, int bytes) {
            this.niftiCode = niftiCode;
            this.bytes = bytes;
        }

        /** The NIfTI-1 {@code datatype} code. */
        public int niftiCode() {
            return niftiCode;
        }

        /** Bytes per voxel. */
        public int bytesPerVoxel() {
            return bytes;
        }

        /**
         * The type of a NIfTI-1 {@code datatype} code.
         *
         * @throws MedlakeException USER_ERROR for codes the SDK does not deliver (complex, RGB)
         */
        public static DataType ofNiftiCode(int code) {
            for (DataType t : values()) {
                if (t.niftiCode == code) {
                    return t;
                }
            }
            throw new MedlakeException(MedlakeException.Kind.USER_ERROR, 0, "NIfTI datatype " + code
                    + " (complex or RGB) is not delivered as a Volume; download the .nii.gz of the series instead.");
        }
    }

    private final String seriesInstanceUid;
    private final long[] shape;
    private final double[] spacing;
    private final double[] affine;
    private final DataType dataType;
    private final double scaleSlope;
    private final double scaleIntercept;
    private final ByteBuffer data;

    /**
     * Creates a volume.
     *
     * @param seriesInstanceUid the series it was converted from
     * @param shape voxels per axis, 1 to 7 axes, each at least 1
     * @param spacing one value per axis
     * @param affine 16 values, row-major, last row {@code 0 0 0 1}
     * @param dataType the voxel type
     * @param scaleSlope multiplier to physical values (a slope of 0 is taken as 1, NIfTI's "no scaling")
     * @param scaleIntercept offset to physical values
     * @param data exactly {@code product(shape) * dataType.bytesPerVoxel()} bytes from its position; it is not copied
     * @throws IllegalArgumentException if the sizes disagree
     */
    public Volume(String seriesInstanceUid, long[] shape, double[] spacing, double[] affine, DataType dataType,
            double scaleSlope, double scaleIntercept, ByteBuffer data) {
        this.seriesInstanceUid = seriesInstanceUid;
        this.shape = shape.clone();
        this.spacing = spacing.clone();
        this.affine = affine.clone();
        this.dataType = Objects.requireNonNull(dataType, "dataType");
        this.scaleSlope = scaleSlope == 0 || Double.isNaN(scaleSlope) ? 1 : scaleSlope;
        this.scaleIntercept = Double.isNaN(scaleIntercept) ? 0 : scaleIntercept;
        if (this.shape.length < 1 || this.shape.length > 7 || Arrays.stream(this.shape).anyMatch(n -> n < 1)) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " must have 1 to 7 axes of at least 1");
        }
        if (this.spacing.length != this.shape.length) {
            throw new IllegalArgumentException("spacing has " + this.spacing.length + " values for " + this.shape.length + " axes");
        }
        if (this.affine.length != 16) {
            throw new IllegalArgumentException("affine has " + this.affine.length + " values, not 16");
        }
        long expected = voxelCount() * dataType.bytesPerVoxel();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("data has " + data.remaining() + " bytes; shape " + Arrays.toString(shape)
                    + " of " + dataType + " needs " + expected);
        }
        this.data = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The Series Instance UID the volume was converted from. */
    public String seriesInstanceUid() {
        return seriesInstanceUid;
    }

    /** Voxels per axis, first axis fastest (a copy). */
    public long[] shape() {
        return shape.clone();
    }

    /** Voxel size per axis (a copy). */
    public double[] spacing() {
        return spacing.clone();
    }

    /** The voxel-to-RAS+ matrix, row-major 4x4 (a copy). */
    public double[] affine() {
        return affine.clone();
    }

    /** The affine's element at {@code row}, {@code column}. */
    public double affine(int row, int column) {
        return affine[row * 4 + column];
    }

    /** The voxel type. */
    public DataType dataType() {
        return dataType;
    }

    /** Multiplier from stored to physical values (1 when unscaled). */
    public double scaleSlope() {
        return scaleSlope;
    }

    /** Offset from stored to physical values (0 when unscaled). */
    public double scaleIntercept() {
        return scaleIntercept;
    }

    /** The number of voxels. */
    public long voxelCount() {
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    /**
     * The voxels: a read-only little-endian view, direct when the volume was delivered by the SDK. Each call
     * returns a new view positioned at 0, so callers do not disturb each other.
     */
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The physical value of the voxel at a linear index (first axis fastest), after scaling.
     *
     * @throws IndexOutOfBoundsException outside {@code 0 .. voxelCount() - 1}
     */
    public double value(long index) {
        Objects.checkIndex(index, voxelCount());
        int at = Math.toIntExact(index * dataType.bytesPerVoxel());
        double stored = switch (dataType) {
            case UINT8 -> data.get(at) & 0xff;
            case INT8 -> data.get(at);
            case INT16 -> data.getShort(at);
            case UINT16 -> data.getShort(at) & 0xffff;
            case INT32 -> data.getInt(at);
            case UINT32 -> data.getInt(at) & 0xffffffffL;
            case INT64 -> data.getLong(at);
            case UINT64 -> {
                long v = data.getLong(at);
                yield v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
            }
            case FLOAT32 -> data.getFloat(at);
            case FLOAT64 -> data.getDouble(at);
        };
        return stored * scaleSlope + scaleIntercept;
    }

    @Override
    public String toString() {
        return "Volume[" + seriesInstanceUid + " " + Arrays.toString(shape) + " " + dataType + " spacing "
                + Arrays.toString(spacing) + "]";
    }
}
