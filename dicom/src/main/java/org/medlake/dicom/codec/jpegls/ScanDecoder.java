package org.medlake.dicom.codec.jpegls;

/**
 * Context modelling and sample reconstruction for one JPEG-LS scan (ITU-T T.87 Annex A): regular mode with
 * gradient quantisation, bias correction and A/B/C/N adaptation, and run mode with run interruption samples.
 *
 * <p>Line buffers are owned by the caller. A single-component line buffer holds {@code width + 2} samples: index
 * 0 is the sample left of the line (T.87's edge rule: Ra of the first sample equals the sample above it, and that
 * value becomes Rc of the next line's first sample), 1..width the samples, and width+1 the sample right of the line
 * (a copy of the last one). Interleaved buffers use the same layout with {@code components} samples per position.
 */
final class ScanDecoder {
    /** Run-length order table J of T.87 A.7.1.1. */
    private static final int[] J = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
        4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    /** Contexts 0..364 are regular (0 only in sample-interleaved mode), 365 and 366 run interruption. */
    private static final int RI0 = 365, CONTEXTS = 367;
    private static final int MIN_C = -128, MAX_C = 127;

    private final int width, maxVal, near, step, rangeStep, qbpp, limit, reset, initialA;
    private final byte[] quant;
    private final int[] a = new int[CONTEXTS], b = new int[CONTEXTS], c = new int[CONTEXTS], n = new int[CONTEXTS];
    private final int[] nn = new int[CONTEXTS];
    private final int[] runIndex;
    private BitReader in;

    /**
     * @param p scan parameters
     * @param width samples per line
     * @param components components coded in this scan (one run index each in line-interleaved mode)
     */
    ScanDecoder(CodingParameters p, int width, int components) {
        this.width = width;
        this.maxVal = p.maxVal();
        this.near = p.near();
        this.step = 2 * near + 1;
        this.rangeStep = p.range() * step;
        this.qbpp = p.qbpp();
        this.limit = p.limit();
        this.reset = p.reset();
        this.initialA = Math.max(2, (p.range() + 32) / 64);
        this.runIndex = new int[components];
        this.quant = QUANT_TABLES.computeIfAbsent(p, ScanDecoder::quantTable);
        if (QUANT_TABLES.size() > 32) {
            QUANT_TABLES.clear(); // parameters vary little in practice; keep the cache small regardless
        }
    }

    /** Gradient quantisation tables by scan parameters: building one for 16-bit data costs more than a small frame. */
    private static final java.util.Map<CodingParameters, byte[]> QUANT_TABLES =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Gradient quantisation (T.87 A.3.3) of every possible difference -maxVal..maxVal, at index d + maxVal. */
    private static byte[] quantTable(CodingParameters p) {
        int maxVal = p.maxVal();
        byte[] table = new byte[2 * maxVal + 1];
        for (int d = -maxVal; d <= maxVal; d++) {
            table[d + maxVal] = (byte) quantize(d, p);
        }
        return table;
    }

    private static int quantize(int d, CodingParameters p) {
        int near = p.near();
        if (d <= -p.t3()) return -4;
        if (d <= -p.t2()) return -3;
        if (d <= -p.t1()) return -2;
        if (d < -near) return -1;
        if (d <= near) return 0;
        if (d < p.t1()) return 1;
        if (d < p.t2()) return 2;
        if (d < p.t3()) return 3;
        return 4;
    }

    /** Starts a scan or restart interval: fresh context variables and run indices (T.87 A.2.1), new bit source. */
    void start(BitReader source) {
        this.in = source;
        java.util.Arrays.fill(a, initialA);
        java.util.Arrays.fill(b, 0);
        java.util.Arrays.fill(c, 0);
        java.util.Arrays.fill(n, 1);
        java.util.Arrays.fill(nn, 0);
        java.util.Arrays.fill(runIndex, 0);
    }

    /** Decodes one line of component {@code comp} (index within the scan) into {@code cur}, predicting from {@code prev}. */
    void decodeLine(int[] prev, int[] cur, int comp) throws JpegLsException {
        final int w = width, mv = maxVal;
        final byte[] qt = quant;
        prev[w + 1] = prev[w];
        cur[0] = prev[1];
        int rc = prev[0], rb = prev[1];
        int x = 1;
        while (x <= w) {
            int ra = cur[x - 1];
            int rd = prev[x + 1];
            int q = 81 * qt[rd - rb + mv] + 9 * qt[rb - rc + mv] + qt[rc - ra + mv];
            if (q == 0) {
                x += runMode(prev, cur, x, comp);
                if (x <= w) {
                    rc = prev[x - 1];
                    rb = prev[x];
                }
            } else {
                cur[x] = regular(q, ra, rb, rc);
                x++;
                rc = rb;
                rb = rd;
            }
        }
        in.checkOverrun();
    }

    /**
     * Decodes one sample-interleaved line of {@code nc} components. Run mode is entered when every component's
     * gradients are within NEAR; run interruption samples use the RItype 0 context for every component, as CharLS
     * (which writes most sample-interleaved JPEG-LS in the wild) does.
     */
    void decodeInterleavedLine(int[] prev, int[] cur, int nc) throws JpegLsException {
        final int w = width, mv = maxVal;
        final byte[] qt = quant;
        final int[] qs = new int[nc];
        for (int k = 0; k < nc; k++) {
            prev[(w + 1) * nc + k] = prev[w * nc + k];
            cur[k] = prev[nc + k];
        }
        int x = 1;
        while (x <= w) {
            int base = x * nc;
            boolean flat = true;
            for (int k = 0; k < nc; k++) {
                int i = base + k;
                int ra = cur[i - nc], rb = prev[i], rc = prev[i - nc], rd = prev[i + nc];
                int q = 81 * qt[rd - rb + mv] + 9 * qt[rb - rc + mv] + qt[rc - ra + mv];
                qs[k] = q;
                flat &= q == 0;
            }
            if (flat) {
                x += interleavedRunMode(prev, cur, x, nc);
            } else {
                for (int k = 0; k < nc; k++) {
                    int i = base + k;
                    cur[i] = regular(qs[k], cur[i - nc], prev[i], prev[i - nc]);
                }
                x++;
            }
        }
        in.checkOverrun();
    }

    /** Regular mode (T.87 A.4 to A.6) for context {@code q} (signed), returns the reconstructed sample. */
    private int regular(int q, int ra, int rb, int rc) throws JpegLsException {
        int sign = 1;
        if (q < 0) {
            q = -q;
            sign = -1;
        }
        int px;
        if (rc >= Math.max(ra, rb)) {
            px = Math.min(ra, rb);
        } else if (rc <= Math.min(ra, rb)) {
            px = Math.max(ra, rb);
        } else {
            px = ra + rb - rc;
        }
        px += sign * c[q];
        if (px < 0) {
            px = 0;
        } else if (px > maxVal) {
            px = maxVal;
        }
        int nq = n[q], aq = a[q], bq = b[q];
        int k = golombK(nq, aq);
        int m = in.readGolomb(k, limit, qbpp);
        int e;
        if (near == 0 && k == 0 && 2 * bq <= -nq) {
            e = (m & 1) != 0 ? (m - 1) >> 1 : -(m >> 1) - 1;
        } else {
            e = (m & 1) == 0 ? m >> 1 : -((m + 1) >> 1);
        }
        // context update (A.6.1) and bias correction (A.6.2)
        bq += e * step;
        aq += Math.abs(e);
        if (nq == reset) {
            aq >>= 1;
            bq >>= 1;
            nq >>= 1;
        }
        nq++;
        if (bq <= -nq) {
            bq += nq;
            if (c[q] > MIN_C) {
                c[q]--;
            }
            if (bq <= -nq) {
                bq = -nq + 1;
            }
        } else if (bq > 0) {
            bq -= nq;
            if (c[q] < MAX_C) {
                c[q]++;
            }
            if (bq > 0) {
                bq = 0;
            }
        }
        a[q] = aq;
        b[q] = bq;
        n[q] = nq;
        return reconstruct(px + sign * e * step);
    }

    /**
     * The smallest k with {@code N << k >= A} (T.87 A.5.1), from the bit lengths instead of a loop. Long arithmetic
     * because corrupt streams can drive A and N to values where the int shift would wrap around.
     */
    private static int golombK(int nq, int aq) {
        int k = Integer.numberOfLeadingZeros(nq) - Integer.numberOfLeadingZeros(aq);
        if (k <= 0) {
            return aq > nq && aq > 0 ? 1 : 0;
        }
        return ((long) nq << k) < aq ? k + 1 : k;
    }

    /** Modulo reduction and clamping of a reconstructed value (T.87 A.4.5 inverse). */
    private int reconstruct(int rx) {
        if (rx < -near) {
            rx += rangeStep;
        } else if (rx > maxVal + near) {
            rx -= rangeStep;
        }
        return rx < 0 ? 0 : Math.min(rx, maxVal);
    }

    /** Decodes the length of a run starting at {@code x} (1-based) of a line; {@link #runIndex}[comp] adapts. */
    private int runLength(int x, int comp) throws JpegLsException {
        int remaining = width - x + 1;
        int idx = runIndex[comp];
        int count = 0;
        boolean endOfLine = false;
        while (in.readBit()) {
            int segment = 1 << J[idx];
            int len = Math.min(segment, remaining - count);
            count += len;
            if (len == segment && idx < 31) {
                idx++;
            }
            if (count == remaining) {
                endOfLine = true;
                break;
            }
        }
        if (!endOfLine) {
            count += in.readBits(J[idx]);
            if (count > remaining) {
                throw new JpegLsException("run of " + count + " samples exceeds the " + remaining
                        + " left in the line: corrupt JPEG-LS data");
            }
        }
        runIndex[comp] = idx;
        return count;
    }

    /** Run mode (T.87 A.7) from position {@code x}; returns the number of samples decoded, interruption included. */
    private int runMode(int[] prev, int[] cur, int x, int comp) throws JpegLsException {
        int ra = cur[x - 1];
        int count = runLength(x, comp);
        java.util.Arrays.fill(cur, x, x + count, ra);
        int xi = x + count;
        if (xi > width) {
            return count;
        }
        int rb = prev[xi];
        int idx = runIndex[comp];
        if (Math.abs(ra - rb) <= near) {
            cur[xi] = reconstruct(ra + riError(RI0 + 1, 1, idx) * step);
        } else {
            int e = riError(RI0, 0, idx);
            cur[xi] = reconstruct(rb + (ra > rb ? -e : e) * step);
        }
        if (idx > 0) {
            runIndex[comp] = idx - 1;
        }
        return count + 1;
    }

    private int interleavedRunMode(int[] prev, int[] cur, int x, int nc) throws JpegLsException {
        int count = runLength(x, 0);
        int ra0 = (x - 1) * nc;
        for (int i = x * nc, e = (x + count) * nc; i < e; i++) {
            cur[i] = cur[ra0 + (i - ra0) % nc];
        }
        int xi = x + count;
        if (xi > width) {
            return count;
        }
        int idx = runIndex[0];
        for (int k = 0; k < nc; k++) {
            int ra = cur[(xi - 1) * nc + k], rb = prev[xi * nc + k];
            int e = riError(RI0, 0, idx);
            cur[xi * nc + k] = reconstruct(rb + (rb >= ra ? e : -e) * step);
        }
        if (idx > 0) {
            runIndex[0] = idx - 1;
        }
        return count + 1;
    }

    /**
     * Decodes the (quantised) error of a run interruption sample in context {@code q} with type {@code riType}
     * (T.87 A.7.2) and updates that context.
     */
    private int riError(int q, int riType, int idx) throws JpegLsException {
        int nq = n[q];
        int temp = riType == 0 ? a[q] : a[q] + (nq >> 1);
        int k = golombK(nq, temp);
        int em = in.readGolomb(k, limit - J[idx] - 1, qbpp);
        int t = em + riType;
        int map = t & 1;
        int abs = (t + map) >> 1;
        int e = ((k != 0 || 2 * nn[q] >= nq) == (map == 1)) ? -abs : abs;
        if (e < 0) {
            nn[q]++;
        }
        a[q] += (em + 1 - riType) >> 1;
        if (nq == reset) {
            a[q] >>= 1;
            nq >>= 1;
            nn[q] >>= 1;
        }
        n[q] = nq + 1;
        return e;
    }
}
