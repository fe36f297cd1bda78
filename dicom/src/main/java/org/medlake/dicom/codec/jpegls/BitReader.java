package org.medlake.dicom.codec.jpegls;

/**
 * Reads the entropy-coded bits of one JPEG-LS scan (or restart interval) from a byte array.
 *
 * <p>T.87 stuffs a 0 bit after every 0xFF byte, so the byte after 0xFF carries 7 data bits; an 0xFF followed by a
 * byte with its high bit set is a marker and ends the coded data. Bits past the end are read as 0, which no valid
 * code word consists of only, so a truncated stream fails within a few code words; {@link #checkOverrun()}
 * turns a long read past the end into an exception.
 */
final class BitReader {
    /** Padding bits that may legitimately be loaded ahead (cache width) plus the encoder's byte padding. */
    private static final int MAX_PADDING_BITS = 64 + 64;

    private final byte[] data;
    private final int end;
    private int pos;
    /** Next bits, most significant first; {@link #bits} of them are valid, the rest are 0. */
    private long cache;
    private int bits;
    private boolean afterFF;
    private boolean atMarker;
    private long paddingBits;

    BitReader(byte[] data, int start, int end) {
        this.data = data;
        this.pos = start;
        this.end = end;
    }

    /** Position of the next byte not yet loaded; the coded data ends at the first marker at or after it. */
    int position() {
        return pos;
    }

    private void fill() {
        if (!afterFF && pos + 8 <= end) {
            // fast path: whole bytes until the cache is full or an 0xFF needs the careful path
            while (bits <= 56) {
                int b = data[pos] & 0xFF;
                if (b == 0xFF) {
                    fillSlowly();
                    return;
                }
                cache |= (long) b << (56 - bits);
                bits += 8;
                pos++;
            }
            return;
        }
        fillSlowly();
    }

    private void fillSlowly() {
        while (bits <= 56) {
            if (atMarker || pos >= end) {
                paddingBits += 64 - bits;
                bits = 64;
                return;
            }
            int b = data[pos] & 0xFF;
            if (afterFF) {
                cache |= (long) b << (57 - bits);
                bits += 7;
                afterFF = false;
                pos++;
            } else if (b == 0xFF) {
                if (pos + 1 >= end || (data[pos + 1] & 0x80) != 0) {
                    atMarker = true;
                    continue;
                }
                cache |= 0xFFL << (56 - bits);
                bits += 8;
                afterFF = true;
                pos++;
            } else {
                cache |= (long) b << (56 - bits);
                bits += 8;
                pos++;
            }
        }
    }

    boolean readBit() {
        if (bits == 0) {
            fill();
        }
        boolean one = cache < 0;
        cache <<= 1;
        bits--;
        return one;
    }

    /** Reads {@code n} bits, 0 &lt;= n &lt;= 32, as an unsigned value. */
    int readBits(int n) {
        if (n == 0) {
            return 0;
        }
        if (bits < n) {
            fill();
        }
        int v = (int) (cache >>> (64 - n));
        cache <<= n;
        bits -= n;
        return v;
    }

    /**
     * Decodes one limited-length Golomb code word (T.87 A.5.3) with parameter {@code k}, maximum length
     * {@code limit} and escape payload width {@code qbpp}.
     */
    int readGolomb(int k, int limit, int qbpp) throws JpegLsException {
        int maxPrefix = limit - qbpp - 1;
        int zeros = 0;
        while (true) {
            if (bits == 0 || cache == 0) {
                if (cache == 0 && bits > 0) {
                    zeros += bits;
                    cache = 0;
                    bits = 0;
                    if (zeros > maxPrefix) {
                        throw new JpegLsException("invalid Golomb code (prefix longer than " + maxPrefix
                                + " bits): corrupt or truncated JPEG-LS data");
                    }
                }
                fill();
                continue;
            }
            int lz = Long.numberOfLeadingZeros(cache);
            zeros += lz;
            cache = lz == 63 ? 0 : cache << (lz + 1); // a shift by 64 would be a no-op in Java
            bits -= lz + 1;
            break;
        }
        if (zeros < maxPrefix) {
            return (zeros << k) | readBits(k);
        }
        if (zeros == maxPrefix) {
            return readBits(qbpp) + 1;
        }
        throw new JpegLsException("invalid Golomb code (prefix " + zeros + " > " + maxPrefix
                + " bits): corrupt or truncated JPEG-LS data");
    }

    /** @throws JpegLsException if decoding has consumed clearly more bits than the stream holds */
    void checkOverrun() throws JpegLsException {
        if (paddingBits > MAX_PADDING_BITS) {
            throw new JpegLsException("JPEG-LS coded data ends prematurely (truncated stream)");
        }
    }
}
