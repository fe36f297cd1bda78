package org.medlake.sdk.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPInputStream;
import org.medlake.sdk.MedlakeException;
import org.medlake.sdk.MedlakeException.Kind;
import org.medlake.sdk.Volume;

/**
 * Reads a NIfTI-1 single file ({@code .nii} or {@code .nii.gz}) into a {@link Volume} whose voxels are in a direct
 * buffer. Either byte order is accepted; the voxels are delivered little-endian.
 */
public final class NiftiVolumes {
    private static final int HEADER = 348;

    private NiftiVolumes() {}

    /**
     * Parses a stream holding one NIfTI-1 file, gzip-compressed or not.
     *
     * @param series the series the volume belongs to (for messages and {@link Volume#seriesInstanceUid()})
     * @throws MedlakeException EXTERNAL if the bytes are not a NIfTI-1 file the SDK can read
     */
    public static Volume read(String series, InputStream in) throws IOException {
        InputStream s = new BufferedInputStream(in, 1 << 16);
        s.mark(2);
        int b0 = s.read();
        int b1 = s.read();
        s.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            s = new BufferedInputStream(new GZIPInputStream(s, 1 << 16), 1 << 16);
        }
        byte[] head = s.readNBytes(HEADER);
        if (head.length < HEADER) {
            throw bad(series, "it ends after " + head.length + " bytes, inside the 348-byte header");
        }
        ByteBuffer h = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        if (h.getInt(0) != HEADER) {
            h.order(ByteOrder.BIG_ENDIAN);
            if (h.getInt(0) != HEADER) {
                throw bad(series, "its first four bytes are not sizeof_hdr 348 in either byte order (not NIfTI-1)");
            }
        }
        String magic = new String(head, 344, 3, java.nio.charset.StandardCharsets.US_ASCII);
        if (!magic.equals("n+1")) {
            throw bad(series, "its magic is '" + magic + "', not 'n+1' (a single-file NIfTI-1)");
        }
        int ndim = h.getShort(40);
        if (ndim < 1 || ndim > 7) {
            throw bad(series, "dim[0] is " + ndim + ", not 1 to 7");
        }
        long[] shape = new long[ndim];
        double[] spacing = new double[ndim];
        for (int i = 0; i < ndim; i++) {
            shape[i] = Math.max(1, h.getShort(42 + 2 * i));
            spacing[i] = h.getFloat(80 + 4 * i);
        }
        Volume.DataType type = Volume.DataType.ofNiftiCode(h.getShort(70));
        long voxOffset = (long) h.getFloat(108);
        double slope = h.getFloat(112);
        double intercept = h.getFloat(116);
        long count = 1;
        for (long n : shape) {
            count = Math.multiplyExact(count, n);
        }
        long bytes = Math.multiplyExact(count, type.bytesPerVoxel());
        if (bytes > Integer.MAX_VALUE - 8) {
            throw bad(series, "its " + bytes + " voxel bytes exceed what one buffer holds (2 GiB)");
        }
        s.skipNBytes(Math.max(0, voxOffset - HEADER)); // extensions, if any
        ByteBuffer data = ByteBuffer.allocateDirect((int) bytes);
        byte[] chunk = new byte[1 << 16];
        while (data.hasRemaining()) {
            int n = s.read(chunk, 0, Math.min(chunk.length, data.remaining()));
            if (n < 0) {
                throw bad(series, "it ends " + data.remaining() + " bytes before its last voxel");
            }
            data.put(chunk, 0, n);
        }
        data.flip();
        if (h.order() == ByteOrder.BIG_ENDIAN && type.bytesPerVoxel() > 1) {
            swap(data, type.bytesPerVoxel());
        }
        return new Volume(series, shape, spacing, affine(h, spacing), type, slope, intercept, data);
    }

    /** The sform when set, else the qform (NIfTI-1 method 2), else the scaling-only matrix (method 1). */
    static double[] affine(ByteBuffer h, double[] spacing) {
        int qformCode = h.getShort(252);
        int sformCode = h.getShort(254);
        if (sformCode > 0) {
            double[] a = new double[16];
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 4; c++) {
                    a[r * 4 + c] = h.getFloat(280 + 16 * r + 4 * c);
                }
            }
            a[15] = 1;
            return a;
        }
        double dx = spacing.length > 0 ? spacing[0] : 1;
        double dy = spacing.length > 1 ? spacing[1] : 1;
        double dz = spacing.length > 2 ? spacing[2] : 1;
        if (qformCode > 0) {
            double b = h.getFloat(256);
            double c = h.getFloat(260);
            double d = h.getFloat(264);
            double a = Math.sqrt(Math.max(0, 1 - (b * b + c * c + d * d)));
            double qfac = h.getFloat(76) < 0 ? -1 : 1; // pixdim[0]
            double[] r = {
                a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c),
                2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b),
                2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b};
            double[] scale = {dx, dy, qfac * dz};
            double[] m = new double[16];
            for (int row = 0; row < 3; row++) {
                for (int col = 0; col < 3; col++) {
                    m[row * 4 + col] = r[row * 3 + col] * scale[col];
                }
                m[row * 4 + 3] = h.getFloat(268 + 4 * row);
            }
            m[15] = 1;
            return m;
        }
        return new double[] {dx, 0, 0, 0, 0, dy, 0, 0, 0, 0, dz, 0, 0, 0, 0, 1};
    }

    private static void swap(ByteBuffer data, int width) {
        for (int i = 0; i + width <= data.limit(); i += width) {
            for (int a = i, b = i + width - 1; a < b; a++, b--) {
                byte t = data.get(a);
                data.put(a, data.get(b));
                data.put(b, t);
            }
        }
    }

    private static MedlakeException bad(String series, String why) {
        return new MedlakeException(Kind.EXTERNAL, 0, "The NIfTI of series " + series + " cannot be read: " + why
                + ". Download it again; if it persists, ask the operator to re-curate the series.");
    }
}
