package org.medlake.dicom.codec.jpegls;

import java.util.Arrays;

/**
 * Decodes a JPEG-LS (ITU-T T.87 / ISO/IEC 14495-1) codestream: SOI, SOF55, LSE preset coding parameters
 * (including oversize image dimensions), DRI and restart markers, one or more SOS scans in any interleave mode,
 * EOI. Lossless and near-lossless (NEAR &gt; 0), 2 to 16 bits per sample, any number of components sampled
 * alike. Mapping tables (LSE types 2 and 3, non-zero Tm), point transforms, subsampled components and JPEG-LS
 * part 2 extensions are rejected with a {@link JpegLsException}.
 *
 * <p>Instances are immutable and thread-safe; each {@link #decode} call works on its own state.
 */
public final class JpegLsDecoder {
    /** Default cap on the decoded image size, so that a corrupt header cannot trigger a huge allocation. */
    public static final long DEFAULT_MAX_DECODED_BYTES = 1L << 30;

    private static final int SOI = 0xD8, EOI = 0xD9, SOS = 0xDA, DNL = 0xDC, DRI = 0xDD, SOF55 = 0xF7, LSE = 0xF8;
    private static final int RST0 = 0xD0, COM = 0xFE;

    private final long maxDecodedBytes;

    public JpegLsDecoder() {
        this(DEFAULT_MAX_DECODED_BYTES);
    }

    /** @param maxDecodedBytes largest decoded image (samples times 1 or 2 bytes) accepted before any allocation */
    public JpegLsDecoder(long maxDecodedBytes) {
        this.maxDecodedBytes = Math.min(maxDecodedBytes, Integer.MAX_VALUE - 16);
    }

    /** Decodes a whole codestream held in {@code data}. */
    public JpegLsImage decode(byte[] data) throws JpegLsException {
        return decode(data, 0, data.length);
    }

    /**
     * Decodes the codestream in {@code data[offset, offset + length)}.
     *
     * @throws JpegLsException if the stream is malformed, truncated, too large, or uses an unsupported feature
     */
    public JpegLsImage decode(byte[] data, int offset, int length) throws JpegLsException {
        return new Session(data, offset, offset + length).run();
    }

    /** Parser and decoder state for one codestream. */
    private final class Session {
        private final byte[] data;
        private final int end;
        private int pos;
        private int width, height, components, precision;
        private int[] componentIds;
        private int samplingOfFirst;
        private boolean haveFrame;
        // preset coding parameters (0 = default), persistent across scans
        private int presetMaxVal, presetT1, presetT2, presetT3, presetReset;
        private int restartInterval;
        private JpegLsImage image;
        private boolean[] decoded;

        Session(byte[] data, int start, int end) {
            if (start < 0 || end > data.length || start > end) {
                throw new IndexOutOfBoundsException("range [" + start + ", " + end + ") of " + data.length);
            }
            this.data = data;
            this.pos = start;
            this.end = end;
        }

        JpegLsImage run() throws JpegLsException {
            expectSoi();
            while (true) {
                int marker = nextMarker();
                if (marker == EOI) {
                    break;
                }
                marker(marker);
            }
            if (image == null) {
                throw new JpegLsException("JPEG-LS stream has no scan");
            }
            for (int c = 0; c < components; c++) {
                if (!decoded[c]) {
                    throw new JpegLsException("JPEG-LS stream ends without a scan for component " + componentIds[c]);
                }
            }
            return image;
        }

        void expectSoi() throws JpegLsException {
            if (end - pos < 2 || (data[pos] & 0xFF) != 0xFF || (data[pos + 1] & 0xFF) != SOI) {
                throw new JpegLsException("not a JPEG-LS stream: no SOI marker at the start");
            }
            pos += 2;
        }

        /** Handles one marker segment other than SOI/EOI. */
        void marker(int marker) throws JpegLsException {
            switch (marker) {
                case SOF55 -> frame();
                case LSE -> lse();
                case DRI -> dri();
                case SOS -> scan();
                case EOI -> throw new JpegLsException("JPEG-LS stream has no scan");
                case DNL -> throw new JpegLsException("DNL marker (image height defined after the scan) is not supported");
                default -> {
                    if ((marker >= 0xE0 && marker <= 0xEF) || marker == COM) {
                        skipSegment();
                    } else if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                        throw new JpegLsException(String.format("SOF marker 0xFF%02X: not a JPEG-LS (SOF55) stream", marker));
                    } else if (marker == 0xF9) {
                        throw new JpegLsException("JPEG-LS part 2 (SOF57) streams are not supported");
                    } else if (marker >= RST0 && marker <= RST0 + 7) {
                        throw new JpegLsException(String.format("unexpected restart marker 0xFF%02X outside a scan", marker));
                    } else {
                        throw new JpegLsException(String.format("unexpected marker 0xFF%02X at offset %d", marker, pos - 2));
                    }
                }
            }
        }

        /** Reads the next marker code, skipping fill bytes (0xFF); positions after it. */
        int nextMarker() throws JpegLsException {
            if (pos >= end) {
                throw new JpegLsException("JPEG-LS stream ends without EOI marker (truncated)");
            }
            if ((data[pos] & 0xFF) != 0xFF) {
                throw new JpegLsException(String.format("expected a marker at offset %d, found 0x%02X", pos, data[pos] & 0xFF));
            }
            while (pos < end && (data[pos] & 0xFF) == 0xFF) {
                pos++;
            }
            if (pos >= end) {
                throw new JpegLsException("JPEG-LS stream ends without EOI marker (truncated)");
            }
            return data[pos++] & 0xFF;
        }

        private int u8() throws JpegLsException {
            if (pos >= end) {
                throw new JpegLsException("JPEG-LS marker segment truncated");
            }
            return data[pos++] & 0xFF;
        }

        private int u16() throws JpegLsException {
            return (u8() << 8) | u8();
        }

        /** Reads a segment length and returns the offset of the segment's end. */
        private int segmentEnd() throws JpegLsException {
            int start = pos;
            int len = u16();
            if (len < 2 || start + len > end) {
                throw new JpegLsException("JPEG-LS marker segment length " + len + " at offset " + start + " is invalid");
            }
            return start + len;
        }

        private void skipSegment() throws JpegLsException {
            pos = segmentEnd();
        }

        private void checkSegmentEnd(int segEnd, String what) throws JpegLsException {
            if (pos != segEnd) {
                throw new JpegLsException(what + " segment length does not match its content");
            }
        }

        void frame() throws JpegLsException {
            if (haveFrame) {
                throw new JpegLsException("more than one SOF marker");
            }
            int segEnd = segmentEnd();
            precision = u8();
            height = u16();
            width = u16();
            components = u8();
            if (precision < 2 || precision > 16) {
                throw new JpegLsException("sample precision " + precision + " is outside 2..16");
            }
            if (components < 1) {
                throw new JpegLsException("frame has no components");
            }
            componentIds = new int[components];
            for (int c = 0; c < components; c++) {
                componentIds[c] = u8();
                int sampling = u8();
                u8(); // Tq, 0 in JPEG-LS
                if ((sampling >> 4) == 0 || (sampling & 15) == 0) {
                    throw new JpegLsException("invalid sampling factors 0x" + Integer.toHexString(sampling));
                }
                if (c == 0) {
                    samplingOfFirst = sampling;
                } else if (sampling != samplingOfFirst) {
                    // equal factors everywhere mean full resolution; anything else is subsampling
                    throw new JpegLsException("subsampled components are not supported (H/V 0x"
                            + Integer.toHexString(sampling) + " vs 0x" + Integer.toHexString(samplingOfFirst) + ")");
                }
            }
            checkSegmentEnd(segEnd, "SOF55");
            haveFrame = true;
            decoded = new boolean[components];
        }

        void lse() throws JpegLsException {
            int segEnd = segmentEnd();
            int id = u8();
            switch (id) {
                case 1 -> {
                    presetMaxVal = u16();
                    presetT1 = u16();
                    presetT2 = u16();
                    presetT3 = u16();
                    presetReset = u16();
                }
                case 2, 3 -> throw new JpegLsException("JPEG-LS mapping tables (LSE type " + id + ") are not supported");
                case 4 -> {
                    if (!haveFrame) {
                        throw new JpegLsException("LSE oversize dimensions before the frame header");
                    }
                    int wxy = u8();
                    if (wxy < 2 || wxy > 4) {
                        throw new JpegLsException("LSE oversize dimensions with " + wxy + "-byte fields");
                    }
                    long y = 0, x = 0;
                    for (int i = 0; i < wxy; i++) {
                        y = (y << 8) | u8();
                    }
                    for (int i = 0; i < wxy; i++) {
                        x = (x << 8) | u8();
                    }
                    if (x > Integer.MAX_VALUE || y > Integer.MAX_VALUE) {
                        throw new JpegLsException("image dimensions " + x + " x " + y + " are too large");
                    }
                    width = (int) x;
                    height = (int) y;
                }
                default -> throw new JpegLsException("unsupported LSE segment type " + id);
            }
            checkSegmentEnd(segEnd, "LSE");
        }

        void dri() throws JpegLsException {
            int segEnd = segmentEnd();
            int len = segEnd - pos;
            if (len < 2 || len > 4) {
                throw new JpegLsException("DRI segment with " + len + "-byte interval");
            }
            int ri = 0;
            for (int i = 0; i < len; i++) {
                ri = (ri << 8) | u8();
            }
            restartInterval = ri;
        }

        private void allocate() throws JpegLsException {
            if (image != null) {
                return;
            }
            if (width <= 0 || height <= 0) {
                throw new JpegLsException("image dimensions " + width + " x " + height + " are invalid");
            }
            long bytes = (long) width * height * components * (precision > 8 ? 2 : 1);
            if (bytes > maxDecodedBytes) {
                throw new JpegLsException("decoded image of " + width + " x " + height + " x " + components
                        + " samples would need " + bytes + " bytes, more than the limit of " + maxDecodedBytes);
            }
            image = new JpegLsImage(width, height, components, precision);
        }

        void scan() throws JpegLsException {
            if (!haveFrame) {
                throw new JpegLsException("SOS marker before SOF55");
            }
            int segEnd = segmentEnd();
            int ns = u8();
            if (ns < 1 || ns > components) {
                throw new JpegLsException("scan with " + ns + " components in a frame of " + components);
            }
            int[] comps = new int[ns];
            for (int i = 0; i < ns; i++) {
                int id = u8();
                int tm = u8();
                int c = indexOf(id);
                if (c < 0) {
                    throw new JpegLsException("scan refers to unknown component " + id);
                }
                if (decoded[c]) {
                    throw new JpegLsException("component " + id + " is coded in more than one scan");
                }
                if (tm != 0) {
                    throw new JpegLsException("JPEG-LS mapping tables (Tm=" + tm + ") are not supported");
                }
                comps[i] = c;
            }
            int near = u8();
            int ilv = u8();
            int pt = u8();
            checkSegmentEnd(segEnd, "SOS");
            if (pt != 0) {
                throw new JpegLsException("point transform (Al=" + (pt & 15) + ") is not supported");
            }
            if (ilv > 2) {
                throw new JpegLsException("invalid interleave mode " + ilv);
            }
            if (ns == 1) {
                ilv = 0; // a single-component scan is non-interleaved whatever ILV says
            } else if (ilv == 0) {
                throw new JpegLsException("interleave mode 0 with " + ns + " components in one scan");
            }
            CodingParameters params;
            try {
                params = CodingParameters.of(precision, presetMaxVal, near, presetT1, presetT2, presetT3, presetReset);
            } catch (IllegalArgumentException e) {
                throw new JpegLsException("invalid JPEG-LS coding parameters: " + e.getMessage());
            }
            // some encoders signal a MAXVAL above 2^P - 1; harmless as long as the samples fit the output arrays
            if (precision <= 8 && params.maxVal() > 255) {
                throw new JpegLsException("MAXVAL " + params.maxVal() + " does not fit " + precision + "-bit samples");
            }
            allocate();
            pos = decodeScan(params, comps, ilv);
            for (int c : comps) {
                decoded[c] = true;
            }
        }

        private int indexOf(int id) {
            for (int c = 0; c < components; c++) {
                if (componentIds[c] == id) {
                    return c;
                }
            }
            return -1;
        }

        /** Decodes the coded data starting at {@link #pos}; returns the offset of the marker ending the scan. */
        private int decodeScan(CodingParameters params, int[] comps, int ilv) throws JpegLsException {
            int ns = comps.length;
            ScanDecoder sd = new ScanDecoder(params, width, ilv == 1 ? ns : 1);
            int bufLen = ilv == 2 ? (width + 2) * ns : width + 2;
            int lines = ilv == 1 ? ns : 1;
            int[][] prev = new int[lines][bufLen], cur = new int[lines][bufLen];
            BitReader in = new BitReader(data, pos, end);
            sd.start(in);
            int rst = 0;
            for (int y = 0; y < height; y++) {
                if (restartInterval > 0 && y > 0 && y % restartInterval == 0) {
                    // T.87 restart: expect RSTm, then code as at the start of the scan (fresh contexts, zero lines)
                    int m = findMarker(in.position());
                    int expected = RST0 + (rst & 7);
                    if ((data[m + 1] & 0xFF) != expected) {
                        throw new JpegLsException(String.format("expected restart marker 0xFF%02X at line %d, found 0xFF%02X",
                                expected, y, data[m + 1] & 0xFF));
                    }
                    rst++;
                    in = new BitReader(data, m + 2, end);
                    sd.start(in);
                    for (int l = 0; l < lines; l++) {
                        Arrays.fill(prev[l], 0);
                        Arrays.fill(cur[l], 0);
                    }
                }
                for (int l = 0; l < lines; l++) {
                    int[] p = prev[l], c = cur[l];
                    if (ilv == 2) {
                        sd.decodeInterleavedLine(p, c, ns);
                        for (int k = 0; k < ns; k++) {
                            image.storeLine(c, ns + k, ns, y, comps[k]);
                        }
                    } else {
                        sd.decodeLine(p, c, l);
                        image.storeLine(c, 1, 1, y, comps[ilv == 1 ? l : 0]);
                    }
                    prev[l] = c;
                    cur[l] = p;
                }
            }
            return findMarker(in.position());
        }

        /** Offset of the first marker (0xFF followed by a byte &gt;= 0x80) at or after {@code from}. */
        private int findMarker(int from) throws JpegLsException {
            for (int i = from; i + 1 < end; i++) {
                if ((data[i] & 0xFF) == 0xFF && (data[i + 1] & 0x80) != 0) {
                    return i;
                }
            }
            throw new JpegLsException("JPEG-LS coded data is not followed by a marker (truncated stream)");
        }
    }
}
