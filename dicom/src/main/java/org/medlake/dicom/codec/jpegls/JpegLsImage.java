package org.medlake.dicom.codec.jpegls;

/**
 * A decoded JPEG-LS image: unsigned samples, pixel-interleaved ({@code (y * width + x) * components + c}), in a
 * {@code byte[]} when {@code bitsPerSample <= 8} and a {@code short[]} (raw 16-bit pattern) otherwise.
 */
public final class JpegLsImage {
    private final int width, height, components, bitsPerSample;
    private final byte[] bytes;
    private final short[] shorts;

    JpegLsImage(int width, int height, int components, int bitsPerSample) {
        this.width = width;
        this.height = height;
        this.components = components;
        this.bitsPerSample = bitsPerSample;
        int size = width * height * components; // caller has checked that this fits
        this.bytes = bitsPerSample <= 8 ? new byte[size] : null;
        this.shorts = bitsPerSample <= 8 ? null : new short[size];
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int components() {
        return components;
    }

    /** Sample precision P of the frame header, 2..16. */
    public int bitsPerSample() {
        return bitsPerSample;
    }

    /** The samples when {@code bitsPerSample() <= 8}, else {@code null}. The array is not copied. */
    public byte[] bytes() {
        return bytes;
    }

    /** The samples when {@code bitsPerSample() > 8}, else {@code null}. The array is not copied. */
    public short[] shorts() {
        return shorts;
    }

    /** Sample {@code c} of pixel ({@code x}, {@code y}) as an unsigned value. */
    public int sample(int x, int y, int c) {
        int i = (y * width + x) * components + c;
        return bytes != null ? bytes[i] & 0xFF : shorts[i] & 0xFFFF;
    }

    /** Stores decoded samples {@code line[from + k * stride]}, k = 0..width-1, as line {@code y} of component {@code c}. */
    void storeLine(int[] line, int from, int stride, int y, int c) {
        int o = y * width * components + c;
        if (bytes != null) {
            for (int k = 0; k < width; k++, o += components) {
                bytes[o] = (byte) line[from + k * stride];
            }
        } else {
            for (int k = 0; k < width; k++, o += components) {
                shorts[o] = (short) line[from + k * stride];
            }
        }
    }
}
