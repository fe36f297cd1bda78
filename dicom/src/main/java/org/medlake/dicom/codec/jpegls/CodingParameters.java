package org.medlake.dicom.codec.jpegls;

/**
 * The parameters of one JPEG-LS scan (ITU-T T.87 sections A.2 and C.2.4.1) together with the values derived from
 * them. Instances are validated on construction; {@link #of} fills in the default thresholds and reset value
 * wherever the preset value is 0 (absent).
 */
record CodingParameters(int maxVal, int near, int t1, int t2, int t3, int reset) {
    static final int DEFAULT_RESET = 64;
    private static final int BASIC_T1 = 3, BASIC_T2 = 7, BASIC_T3 = 21;

    CodingParameters {
        if (maxVal < 1 || maxVal > 65535) {
            throw new IllegalArgumentException("MAXVAL " + maxVal);
        }
        if (near < 0 || near > Math.min(255, maxVal / 2)) {
            throw new IllegalArgumentException("NEAR " + near + " for MAXVAL " + maxVal);
        }
        // T.87 C.2.4.1.1 constraints on explicitly signalled thresholds
        if (t1 < near + 1 || t1 > maxVal || t2 < t1 || t2 > maxVal || t3 < t2 || t3 > maxVal) {
            throw new IllegalArgumentException("thresholds T1=" + t1 + " T2=" + t2 + " T3=" + t3 + " for MAXVAL "
                    + maxVal + ", NEAR " + near);
        }
        if (reset < 3 || reset > Math.max(255, maxVal)) {
            throw new IllegalArgumentException("RESET " + reset);
        }
    }

    /**
     * Parameters for a scan: {@code maxVal}, {@code t1..t3} and {@code reset} as signalled in an LSE segment, 0
     * meaning "not signalled, use the default" (for {@code maxVal} the default is {@code 2^precision - 1}).
     *
     * @throws IllegalArgumentException if the resulting parameters violate T.87's constraints
     */
    static CodingParameters of(int precision, int maxVal, int near, int t1, int t2, int t3, int reset) {
        int mv = maxVal != 0 ? maxVal : (1 << precision) - 1;
        int[] d = defaultThresholds(mv, near);
        return new CodingParameters(mv, near, t1 != 0 ? t1 : d[0], t2 != 0 ? t2 : d[1], t3 != 0 ? t3 : d[2],
                reset != 0 ? reset : DEFAULT_RESET);
    }

    /** Default T1, T2, T3 of T.87 C.2.4.1.1.2 for the given MAXVAL and NEAR. */
    static int[] defaultThresholds(int maxVal, int near) {
        int t1, t2, t3;
        if (maxVal >= 128) {
            int factor = (Math.min(maxVal, 4095) + 128) / 256;
            t1 = clamp(factor * (BASIC_T1 - 2) + 2 + 3 * near, near + 1, maxVal);
            t2 = clamp(factor * (BASIC_T2 - 3) + 3 + 5 * near, t1, maxVal);
            t3 = clamp(factor * (BASIC_T3 - 4) + 4 + 7 * near, t2, maxVal);
        } else {
            int factor = 256 / (maxVal + 1);
            t1 = clamp(Math.max(2, BASIC_T1 / factor + 3 * near), near + 1, maxVal);
            t2 = clamp(Math.max(3, BASIC_T2 / factor + 5 * near), t1, maxVal);
            t3 = clamp(Math.max(4, BASIC_T3 / factor + 7 * near), t2, maxVal);
        }
        return new int[] {t1, t2, t3};
    }

    private static int clamp(int i, int j, int maxVal) {
        return i > maxVal || i < j ? j : i;
    }

    /** Number of distinct quantised prediction errors. */
    int range() {
        return (maxVal + 2 * near) / (2 * near + 1) + 1;
    }

    /** Bits needed for a quantised, modulo-reduced error (escape code payload). */
    int qbpp() {
        return ceilLog2(range());
    }

    /** Maximum length of a limited-length Golomb code word. */
    int limit() {
        int bpp = Math.max(2, ceilLog2(maxVal + 1));
        return 2 * (bpp + Math.max(8, bpp));
    }

    static int ceilLog2(int v) {
        return v <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(v - 1);
    }
}
