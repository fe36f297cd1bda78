package org.medlake.dicom.codec.jpegls;

import java.io.ByteArrayOutputStream;

/**
 * A deliberately plain JPEG-LS encoder (ITU-T T.87 regular and run mode, NEAR &gt;= 0, interleave modes 0, 1 and 2,
 * optional LSE preset parameters and restart intervals), written from the standard so that the decoder can be
 * tested on streams the project owns. Test scope only: no speed, no input validation beyond what tests need.
 */
final class JpegLsTestEncoder {
    private static final int[] J = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
        4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14, 15};

    int near;
    int interleave;
    int restartInterval;
    /** LSE type 1 values; all 0 means no LSE segment is written. */
    int maxVal, t1, t2, t3, reset;

    /** What the decoder must reproduce: for NEAR &gt; 0 the encoder's reconstructed samples. */
    int[] reconstructed;

    JpegLsTestEncoder near(int v) {
        near = v;
        return this;
    }

    JpegLsTestEncoder interleave(int v) {
        interleave = v;
        return this;
    }

    JpegLsTestEncoder restartInterval(int v) {
        restartInterval = v;
        return this;
    }

    JpegLsTestEncoder preset(int maxVal, int t1, int t2, int t3, int reset) {
        this.maxVal = maxVal;
        this.t1 = t1;
        this.t2 = t2;
        this.t3 = t3;
        this.reset = reset;
        return this;
    }

    /** Encodes pixel-interleaved {@code samples} ((y * w + x) * nc + c) of {@code bits} precision. */
    byte[] encode(int[] samples, int w, int h, int nc, int bits) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        reconstructed = new int[samples.length];
        marker(out, 0xD8);
        marker(out, 0xF7);
        u16(out, 8 + 3 * nc);
        out.write(bits);
        u16(out, h);
        u16(out, w);
        out.write(nc);
        for (int c = 0; c < nc; c++) {
            out.write(c + 1);
            out.write(0x11);
            out.write(0);
        }
        if ((maxVal | t1 | t2 | t3 | reset) != 0) {
            marker(out, 0xF8);
            u16(out, 13);
            out.write(1);
            u16(out, maxVal);
            u16(out, t1);
            u16(out, t2);
            u16(out, t3);
            u16(out, reset);
        }
        if (restartInterval > 0) {
            marker(out, 0xDD);
            u16(out, 4);
            u16(out, restartInterval);
        }
        CodingParameters p = CodingParameters.of(bits, maxVal, near, t1, t2, t3, reset);
        if (interleave == 0 || nc == 1) {
            for (int c = 0; c < nc; c++) {
                scan(out, p, samples, w, h, nc, new int[] {c}, 0);
            }
        } else {
            int[] all = new int[nc];
            for (int c = 0; c < nc; c++) {
                all[c] = c;
            }
            scan(out, p, samples, w, h, nc, all, interleave);
        }
        marker(out, 0xD9);
        return out.toByteArray();
    }

    private void scan(ByteArrayOutputStream out, CodingParameters p, int[] samples, int w, int h, int nc, int[] comps,
            int ilv) {
        int ns = comps.length;
        marker(out, 0xDA);
        u16(out, 6 + 2 * ns);
        out.write(ns);
        for (int c : comps) {
            out.write(c + 1);
            out.write(0);
        }
        out.write(near);
        out.write(ilv);
        out.write(0);
        Coder coder = new Coder(p, w, ns);
        int stride = ilv == 2 ? ns : 1;
        int lines = ilv == 1 ? ns : 1;
        int[][] prev = new int[lines][(w + 2) * stride], cur = new int[lines][(w + 2) * stride];
        int[][] input = new int[lines][(w + 2) * stride];
        int rst = 0;
        for (int y = 0; y < h; y++) {
            if (restartInterval > 0 && y > 0 && y % restartInterval == 0) {
                coder.bits.flush(out);
                marker(out, 0xD0 + (rst++ & 7));
                coder = new Coder(p, w, ns);
                prev = new int[lines][(w + 2) * stride];
                cur = new int[lines][(w + 2) * stride];
            }
            for (int l = 0; l < lines; l++) {
                for (int x = 0; x < w; x++) {
                    for (int k = 0; k < stride; k++) {
                        int comp = comps[ilv == 1 ? l : ilv == 2 ? k : 0];
                        input[l][(x + 1) * stride + k] = samples[(y * w + x) * nc + comp];
                    }
                }
                if (ilv == 2) {
                    coder.interleavedLine(input[l], prev[l], cur[l], ns);
                } else {
                    coder.line(input[l], prev[l], cur[l], ilv == 1 ? l : 0);
                }
                for (int x = 0; x < w; x++) {
                    for (int k = 0; k < stride; k++) {
                        int comp = comps[ilv == 1 ? l : ilv == 2 ? k : 0];
                        reconstructed[(y * w + x) * nc + comp] = cur[l][(x + 1) * stride + k];
                    }
                }
                int[] t = prev[l];
                prev[l] = cur[l];
                cur[l] = t;
            }
        }
        coder.bits.flush(out);
    }

    private static void marker(ByteArrayOutputStream out, int m) {
        out.write(0xFF);
        out.write(m);
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >> 8);
        out.write(v & 0xFF);
    }

    /** Bit output with a stuffed 0 bit after every 0xFF byte. */
    static final class Bits {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private int current, filled;
        private boolean afterFF;

        void write(int value, int n) {
            for (int i = n - 1; i >= 0; i--) {
                bit((value >>> i) & 1);
            }
        }

        void bit(int b) {
            int capacity = afterFF ? 7 : 8;
            current = (current << 1) | b;
            filled++;
            if (filled == capacity) {
                buf.write(current);
                afterFF = current == 0xFF;
                current = 0;
                filled = 0;
            }
        }

        /** Pads with 0 bits to a byte boundary (an extra 0x00 byte after a final 0xFF) and appends to {@code out}. */
        void flush(ByteArrayOutputStream out) {
            while (filled != 0) {
                bit(0);
            }
            if (afterFF) {
                buf.write(0);
                afterFF = false;
            }
            out.writeBytes(buf.toByteArray());
            buf.reset();
        }
    }

    /** Context state and sample coding of one scan or restart interval. */
    private static final class Coder {
        final Bits bits = new Bits();
        final int w, maxVal, near, step, range, qbpp, limit, reset, t1, t2, t3;
        final int[] a = new int[367], b = new int[367], c = new int[367], n = new int[367], nn = new int[367];
        final int[] runIndex;

        Coder(CodingParameters p, int w, int ns) {
            this.w = w;
            maxVal = p.maxVal();
            near = p.near();
            step = 2 * near + 1;
            range = p.range();
            qbpp = p.qbpp();
            limit = p.limit();
            reset = p.reset();
            t1 = p.t1();
            t2 = p.t2();
            t3 = p.t3();
            java.util.Arrays.fill(a, Math.max(2, (range + 32) / 64));
            java.util.Arrays.fill(n, 1);
            runIndex = new int[ns];
        }

        int q(int d) {
            if (d <= -t3) return -4;
            if (d <= -t2) return -3;
            if (d <= -t1) return -2;
            if (d < -near) return -1;
            if (d <= near) return 0;
            if (d < t1) return 1;
            if (d < t2) return 2;
            if (d < t3) return 3;
            return 4;
        }

        int context(int ra, int rb, int rc, int rd) {
            return 81 * q(rd - rb) + 9 * q(rb - rc) + q(rc - ra);
        }

        void line(int[] in, int[] prev, int[] cur, int comp) {
            prev[w + 1] = prev[w];
            cur[0] = prev[1];
            int x = 1;
            while (x <= w) {
                int ra = cur[x - 1], rb = prev[x], rc = prev[x - 1], rd = prev[x + 1];
                int ctx = context(ra, rb, rc, rd);
                if (ctx != 0) {
                    cur[x] = regular(ctx, in[x], ra, rb, rc);
                    x++;
                    continue;
                }
                int cnt = 0;
                while (x + cnt <= w && Math.abs(in[x + cnt] - ra) <= near) {
                    cur[x + cnt] = ra;
                    cnt++;
                }
                boolean eol = x + cnt > w;
                runIndex[comp] = runCode(cnt, eol, runIndex[comp]);
                if (eol) {
                    return;
                }
                int xi = x + cnt;
                int idx = runIndex[comp];
                cur[xi] = interruption(in[xi], ra, prev[xi], idx, false);
                runIndex[comp] = Math.max(0, idx - 1);
                x = xi + 1;
            }
        }

        void interleavedLine(int[] in, int[] prev, int[] cur, int nc) {
            for (int k = 0; k < nc; k++) {
                prev[(w + 1) * nc + k] = prev[w * nc + k];
                cur[k] = prev[nc + k];
            }
            int x = 1;
            while (x <= w) {
                int[] ctx = new int[nc];
                boolean flat = true;
                for (int k = 0; k < nc; k++) {
                    int i = x * nc + k;
                    ctx[k] = context(cur[i - nc], prev[i], prev[i - nc], prev[i + nc]);
                    flat &= ctx[k] == 0;
                }
                if (!flat) {
                    for (int k = 0; k < nc; k++) {
                        int i = x * nc + k;
                        cur[i] = regular(ctx[k], in[i], cur[i - nc], prev[i], prev[i - nc]);
                    }
                    x++;
                    continue;
                }
                int cnt = 0;
                while (x + cnt <= w && pixelWithinNear(in, cur, x + cnt, x - 1, nc)) {
                    for (int k = 0; k < nc; k++) {
                        cur[(x + cnt) * nc + k] = cur[(x - 1) * nc + k];
                    }
                    cnt++;
                }
                boolean eol = x + cnt > w;
                runIndex[0] = runCode(cnt, eol, runIndex[0]);
                if (eol) {
                    return;
                }
                int xi = x + cnt;
                int idx = runIndex[0];
                for (int k = 0; k < nc; k++) {
                    cur[xi * nc + k] = interruption(in[xi * nc + k], cur[(x - 1) * nc + k], prev[xi * nc + k], idx, true);
                }
                runIndex[0] = Math.max(0, idx - 1);
                x = xi + 1;
            }
        }

        private boolean pixelWithinNear(int[] in, int[] cur, int x, int ref, int nc) {
            for (int k = 0; k < nc; k++) {
                if (Math.abs(in[x * nc + k] - cur[ref * nc + k]) > near) {
                    return false;
                }
            }
            return true;
        }

        /** Writes the run length code (T.87 A.7.1.2); returns the new run index. */
        private int runCode(int cnt, boolean eol, int idx) {
            while (cnt >= (1 << J[idx])) {
                bits.bit(1);
                cnt -= 1 << J[idx];
                if (idx < 31) {
                    idx++;
                }
            }
            if (eol) {
                if (cnt > 0) {
                    bits.bit(1);
                }
            } else {
                bits.bit(0);
                bits.write(cnt, J[idx]);
            }
            return idx;
        }

        private int quantizeError(int e) {
            return e > 0 ? (e + near) / step : -(near - e) / step;
        }

        private int clamp(int v) {
            return v < 0 ? 0 : Math.min(v, maxVal);
        }

        private int reduce(int e) {
            if (e < 0) {
                e += range;
            }
            if (e >= (range + 1) / 2) {
                e -= range;
            }
            return e;
        }

        int regular(int ctx, int ix, int ra, int rb, int rc) {
            int sign = ctx < 0 ? -1 : 1;
            int q = Math.abs(ctx);
            int px = rc >= Math.max(ra, rb) ? Math.min(ra, rb) : rc <= Math.min(ra, rb) ? Math.max(ra, rb) : ra + rb - rc;
            px = clamp(px + sign * c[q]);
            int e = quantizeError(sign * (ix - px));
            int rx = clamp(px + sign * e * step);
            e = reduce(e);
            int k = 0;
            while ((n[q] << k) < a[q]) {
                k++;
            }
            int m;
            if (near == 0 && k == 0 && 2 * b[q] <= -n[q]) {
                m = e >= 0 ? 2 * e + 1 : -2 * (e + 1);
            } else {
                m = e >= 0 ? 2 * e : -2 * e - 1;
            }
            golomb(m, k, limit);
            b[q] += e * step;
            a[q] += Math.abs(e);
            if (n[q] == reset) {
                a[q] >>= 1;
                b[q] >>= 1;
                n[q] >>= 1;
            }
            n[q]++;
            if (b[q] <= -n[q]) {
                b[q] += n[q];
                if (c[q] > -128) {
                    c[q]--;
                }
                if (b[q] <= -n[q]) {
                    b[q] = -n[q] + 1;
                }
            } else if (b[q] > 0) {
                b[q] -= n[q];
                if (c[q] < 127) {
                    c[q]++;
                }
                if (b[q] > 0) {
                    b[q] = 0;
                }
            }
            return rx;
        }

        /** Run interruption sample; {@code sampleInterleaved} uses CharLS's convention (RItype 0 context always). */
        int interruption(int ix, int ra, int rb, int idx, boolean sampleInterleaved) {
            int riType = !sampleInterleaved && Math.abs(ra - rb) <= near ? 1 : 0;
            int px = riType == 1 ? ra : rb;
            int sign = sampleInterleaved ? (rb >= ra ? 1 : -1) : (riType == 0 && ra > rb ? -1 : 1);
            int e = quantizeError(sign * (ix - px));
            int rx = clamp(px + sign * e * step);
            e = reduce(e);
            int q = 365 + riType;
            int temp = riType == 0 ? a[q] : a[q] + (n[q] >> 1);
            int k = 0;
            while ((n[q] << k) < temp) {
                k++;
            }
            int map;
            if (k == 0 && e > 0 && 2 * nn[q] < n[q]) {
                map = 1;
            } else if (e < 0 && 2 * nn[q] >= n[q]) {
                map = 1;
            } else if (e < 0 && k != 0) {
                map = 1;
            } else {
                map = 0;
            }
            int em = 2 * Math.abs(e) - riType - map;
            golomb(em, k, limit - J[idx] - 1);
            if (e < 0) {
                nn[q]++;
            }
            a[q] += (em + 1 - riType) >> 1;
            if (n[q] == reset) {
                a[q] >>= 1;
                n[q] >>= 1;
                nn[q] >>= 1;
            }
            n[q]++;
            return rx;
        }

        private void golomb(int m, int k, int lim) {
            int high = m >> k;
            if (high < lim - qbpp - 1) {
                bits.write(0, high);
                bits.bit(1);
                bits.write(m & ((1 << k) - 1), k);
            } else {
                bits.write(0, lim - qbpp - 1);
                bits.bit(1);
                bits.write(m - 1, qbpp);
            }
        }
    }
}
