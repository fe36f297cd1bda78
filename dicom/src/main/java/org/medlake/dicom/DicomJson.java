package org.medlake.dicom;

import com.pixelmed.dicom.TagFromName;
import java.util.Base64;
import org.medlake.dicom.DataSetView.Element;

/**
 * A compact DICOM JSON (PS3.18 F.2) writer for a parsed data set ({@link DataSetView}), without bulk data. Written by hand
 * rather than with PixelMed's {@code JSONRepresentationOfDicomObjectFactory}, which builds a javax.json tree first
 * and writes keywords for UIDs unless told not to; this one appends straight into a StringBuilder.
 *
 * <p>Left out: File Meta Information (group 0002) at the top level, group lengths (gggg,0000), Pixel Data (and
 * Float/Double Float Pixel Data). Binary VRs (OB, OD, OF, OL, OV, OW, UN) carry {@code InlineBinary} up to
 * {@link #MAX_INLINE_BINARY} bytes, and only their {@code vr} beyond.
 */
final class DicomJson {
    static final int MAX_INLINE_BINARY = 1024;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private DicomJson() {}

    static String write(DataSetView list) {
        StringBuilder sb = new StringBuilder(4096);
        dataSet(sb, list, true);
        return sb.toString();
    }

    private static void dataSet(StringBuilder sb, DataSetView list, boolean top) {
        sb.append('{');
        boolean first = true;
        for (int i = 0, n = list.size(); i < n; i++) {
            Element a = list.at(i);
            int g = a.group();
            int e = a.element();
            if (e == 0 || (top && g == 0x0002) || g == 0xFFFE || isPixelData(g, e)) {
                continue;
            }
            if (!first) sb.append(',');
            first = false;
            sb.append('"');
            hex4(sb, g);
            hex4(sb, e);
            String vr = a.vr();
            sb.append("\":{\"vr\":\"").append(vr).append('"');
            try {
                value(sb, a, vr);
            } catch (com.pixelmed.dicom.DicomException | RuntimeException ex) {
                // a value PixelMed cannot decode: keep the element with its VR only
            }
            sb.append('}');
        }
        sb.append('}');
    }

    private static boolean isPixelData(int group, int element) {
        return group == TagFromName.PixelData.getGroup() && (element == TagFromName.PixelData.getElement()
                || element == TagFromName.FloatPixelData.getElement()
                || element == TagFromName.DoubleFloatPixelData.getElement());
    }

    private static void value(StringBuilder sb, Element a, String vr) throws com.pixelmed.dicom.DicomException {
        switch (vr) {
            case "SQ" -> {
                int n = a.items();
                if (n == 0) return;
                sb.append(",\"Value\":[");
                for (int i = 0; i < n; i++) {
                    if (i > 0) sb.append(',');
                    dataSet(sb, a.item(i), false);
                }
                sb.append(']');
            }
            case "OB", "OD", "OF", "OL", "OV", "OW", "UN" -> {
                long vl = a.vl();
                if (vl <= 0 || vl > MAX_INLINE_BINARY) return;
                byte[] bytes = a.bytes();
                if (bytes == null || bytes.length == 0) return;
                sb.append(",\"InlineBinary\":\"").append(Base64.getEncoder().encodeToString(bytes)).append('"');
            }
            case "FL", "FD" -> {
                double[] d = a.doubles();
                if (d == null || d.length == 0) return;
                sb.append(",\"Value\":[");
                for (int i = 0; i < d.length; i++) {
                    if (i > 0) sb.append(',');
                    number(sb, d[i]);
                }
                sb.append(']');
            }
            case "SL", "SS", "UL", "US", "SV", "UV" -> {
                long[] l = a.longs();
                if (l == null || l.length == 0) return;
                sb.append(",\"Value\":[");
                for (int i = 0; i < l.length; i++) {
                    if (i > 0) sb.append(',');
                    if (vr.equals("UV")) sb.append(Long.toUnsignedString(l[i]));
                    else sb.append(l[i]);
                }
                sb.append(']');
            }
            case "AT" -> {
                int[] tags = a.tags();
                if (tags == null || tags.length == 0) return;
                sb.append(",\"Value\":[");
                for (int i = 0; i < tags.length; i++) {
                    if (i > 0) sb.append(',');
                    sb.append('"');
                    hex4(sb, tags[i] >>> 16);
                    hex4(sb, tags[i] & 0xFFFF);
                    sb.append('"');
                }
                sb.append(']');
            }
            default -> strings(sb, a, vr);
        }
    }

    private static void strings(StringBuilder sb, Element a, String vr) throws com.pixelmed.dicom.DicomException {
        String[] s = a.strings();
        if (s == null || s.length == 0 || (s.length == 1 && s[0].isBlank())) return;
        sb.append(",\"Value\":[");
        for (int i = 0; i < s.length; i++) {
            if (i > 0) sb.append(',');
            String v = s[i] == null ? "" : s[i].strip();
            if (v.isEmpty()) {
                sb.append("null");
            } else if (vr.equals("PN")) {
                personName(sb, v);
            } else if (vr.equals("IS") || vr.equals("DS")) {
                decimal(sb, v);
            } else {
                string(sb, v);
            }
        }
        sb.append(']');
    }

    private static void personName(StringBuilder sb, String v) {
        String[] groups = v.split("=", -1);
        String[] keys = {"Alphabetic", "Ideographic", "Phonetic"};
        sb.append('{');
        boolean first = true;
        for (int i = 0; i < Math.min(3, groups.length); i++) {
            if (groups[i].isEmpty()) continue;
            if (!first) sb.append(',');
            first = false;
            sb.append('"').append(keys[i]).append("\":");
            string(sb, groups[i]);
        }
        sb.append('}');
    }

    /** IS and DS as JSON numbers; a value that is not a number stays a string so nothing is lost. */
    private static void decimal(StringBuilder sb, String v) {
        if (isJsonNumber(v)) {
            sb.append(v);
            return;
        }
        try {
            double d = Double.parseDouble(v);
            if (Double.isFinite(d)) {
                number(sb, d);
                return;
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        string(sb, v);
    }

    private static void number(StringBuilder sb, double d) {
        if (!Double.isFinite(d)) {
            sb.append('"').append(d).append('"');
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            sb.append((long) d);
        } else {
            sb.append(d);
        }
    }

    /** JSON's number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
    static boolean isJsonNumber(String s) {
        int i = 0, n = s.length();
        if (i < n && s.charAt(i) == '-') i++;
        if (i >= n) return false;
        if (s.charAt(i) == '0') {
            i++;
        } else if (s.charAt(i) >= '1' && s.charAt(i) <= '9') {
            while (i < n && isAsciiDigit(s.charAt(i))) i++;
        } else {
            return false;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            int start = i;
            while (i < n && isAsciiDigit(s.charAt(i))) i++;
            if (i == start) return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
            int start = i;
            while (i < n && isAsciiDigit(s.charAt(i))) i++;
            if (i == start) return false;
        }
        return i == n;
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static void hex4(StringBuilder sb, int v) {
        sb.append(HEX[(v >> 12) & 0xF]).append(HEX[(v >> 8) & 0xF]).append(HEX[(v >> 4) & 0xF]).append(HEX[v & 0xF]);
    }
}
