package org.medlake.nifti;

/**
 * Decoder for single-component JPEG Lossless (ITU-T T.81 process 14, DICOM transfer syntaxes 1.2.840.10008.1.2.4.57
 * and .70): Huffman-coded differences from one of the seven predictors, with point transform and restart intervals.
 * It exists for speed (PixelMed's codec behind ImageIO costs several times more per image); anything it does not
 * handle (several components, arithmetic coding, hierarchical) makes it return {@code false} and the caller uses the
 * ImageIO reader instead.
 */
final class JpegLossless {
    private final byte[] d;
    private int pos;
    private int bitBuf;
    private int bitCount;
    private boolean marker;
    private final int[][] huffMaxCode = new int[4][];
    private final int[][] huffValPtr = new int[4][];
    private final int[][] huffMinCode = new int[4][];
    private final int[][] huffVals = new int[4][];

    private JpegLossless(byte[] data) {
        this.d = data;
    }

    /**
     * Decodes into {@code out[off .. off + rows*cols)} (16-bit words, or the low byte for 8-bit output).
     *
     * @return false when the stream is not a single-component lossless JPEG of that size
     */
    static boolean decode(byte[] data, int rows, int cols, short[] words, byte[] bytes, int off) {
        try {
            return new JpegLossless(data).run(rows, cols, words, bytes, off);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private int u8(int p) {
        return d[p] & 0xFF;
    }

    private int u16(int p) {
        return (u8(p) << 8) | u8(p + 1);
    }

    private boolean run(int rows, int cols, short[] words, byte[] bytes, int off) {
        if (u16(0) != 0xFFD8) {
            return false;
        }
        pos = 2;
        int precision = 0, width = 0, height = 0, restart = 0;
        int table = -1;
        while (pos + 4 <= d.length) {
            if (u8(pos) != 0xFF) {
                return false;
            }
            int m = u8(pos + 1);
            if (m == 0xFF) {
                pos++;
                continue;
            }
            int len = u16(pos + 2);
            int seg = pos + 4;
            switch (m) {
                case 0xC3 -> {
                    precision = u8(seg);
                    height = u16(seg + 1);
                    width = u16(seg + 3);
                    if (u8(seg + 5) != 1) {
                        return false;
                    }
                }
                case 0xC4 -> {
                    int p = seg;
                    while (p < pos + 2 + len) {
                        int tc = u8(p) >> 4, th = u8(p) & 15;
                        if (tc != 0 || th > 3) {
                            return false;
                        }
                        int[] counts = new int[17];
                        int total = 0;
                        for (int i = 1; i <= 16; i++) {
                            counts[i] = u8(p + i);
                            total += counts[i];
                        }
                        int[] vals = new int[total];
                        for (int i = 0; i < total; i++) {
                            vals[i] = u8(p + 17 + i);
                        }
                        buildTable(th, counts, vals);
                        p += 17 + total;
                    }
                }
                case 0xDD -> restart = u16(seg);
                case 0xDA -> {
                    if (u8(seg) != 1) {
                        return false;
                    }
                    table = u8(seg + 2) >> 4;
                    int predictor = u8(seg + 3);
                    int pt = u8(seg + 5) & 15;
                    pos = pos + 2 + len;
                    if (width != cols || height != rows || precision < 2 || precision > 16 || huffMaxCode[table] == null
                            || predictor < 1 || predictor > 7) {
                        return false;
                    }
                    scan(rows, cols, precision, predictor, pt, restart, table, words, bytes, off);
                    return true;
                }
                case 0xC0, 0xC1, 0xC2, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF -> {
                    return false; // not lossless Huffman process 14
                }
                default -> {
                    // APPn, COM, DQT and others: skipped
                }
            }
            pos += 2 + len;
        }
        return false;
    }

    private void buildTable(int t, int[] counts, int[] vals) {
        int[] maxCode = new int[18], valPtr = new int[17], minCode = new int[17];
        int code = 0, k = 0;
        for (int l = 1; l <= 16; l++) {
            valPtr[l] = k;
            minCode[l] = code;
            code += counts[l];
            k += counts[l];
            maxCode[l] = counts[l] == 0 ? -1 : code - 1;
            code <<= 1;
        }
        maxCode[17] = Integer.MAX_VALUE;
        huffMaxCode[t] = maxCode;
        huffValPtr[t] = valPtr;
        huffMinCode[t] = minCode;
        huffVals[t] = vals;
    }

    private int bit() {
        if (bitCount == 0) {
            int b = 0;
            if (!marker && pos < d.length) {
                b = u8(pos++);
                if (b == 0xFF) {
                    int n = pos < d.length ? u8(pos) : 0;
                    if (n == 0) {
                        pos++;
                    } else {
                        marker = true; // a marker: feed zeros until the scan code deals with it
                        pos--;
                        b = 0;
                    }
                }
            }
            bitBuf = b;
            bitCount = 8;
        }
        bitCount--;
        return (bitBuf >> bitCount) & 1;
    }

    private int bits(int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 1) | bit();
        }
        return v;
    }

    private int decodeSsss(int t) {
        int[] maxCode = huffMaxCode[t];
        int code = bit();
        int l = 1;
        while (code > maxCode[l]) {
            code = (code << 1) | bit();
            l++;
            if (l > 16) {
                throw new IllegalStateException("bad Huffman code");
            }
        }
        return huffVals[t][huffValPtr[t][l] + code - huffMinCode[t][l]];
    }

    private int diff(int t) {
        int s = decodeSsss(t);
        if (s == 0) {
            return 0;
        }
        if (s == 16) {
            return 32768;
        }
        int v = bits(s);
        return v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;
    }

    private void restartMarker() {
        bitCount = 0;
        marker = false;
        // skip to and over the RSTn marker
        while (pos + 1 < d.length && !(u8(pos) == 0xFF && u8(pos + 1) >= 0xD0 && u8(pos + 1) <= 0xD7)) {
            pos++;
        }
        pos += 2;
    }

    private void scan(int rows, int cols, int precision, int predictor, int pt, int restart, int table,
                      short[] words, byte[] bytes, int off) {
        int mask = (1 << 16) - 1;
        int initial = 1 << (precision - pt - 1);
        int[] prev = new int[cols], cur = new int[cols];
        int count = 0;
        boolean firstLine = true;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (restart > 0 && count == restart) {
                    restartMarker();
                    count = 0;
                    firstLine = true;
                }
                int p;
                if (firstLine && c == 0) {
                    p = initial;
                } else if (firstLine) {
                    p = cur[c - 1];
                } else if (c == 0) {
                    p = prev[0];
                } else {
                    int ra = cur[c - 1], rb = prev[c], rc = prev[c - 1];
                    p = switch (predictor) {
                        case 1 -> ra;
                        case 2 -> rb;
                        case 3 -> rc;
                        case 4 -> ra + rb - rc;
                        case 5 -> ra + ((rb - rc) >> 1);
                        case 6 -> rb + ((ra - rc) >> 1);
                        default -> (ra + rb) >> 1;
                    };
                }
                int v = (p + diff(table)) & mask;
                cur[c] = v;
                count++;
                int out = v << pt;
                if (words != null) {
                    words[off + r * cols + c] = (short) out;
                } else {
                    bytes[off + r * cols + c] = (byte) out;
                }
                // a restart in mid-line makes the rest of that line "first line" too (T.81 H.1.2.1)
            }
            int[] t = prev;
            prev = cur;
            cur = t;
            firstLine = false;
        }
    }
}
