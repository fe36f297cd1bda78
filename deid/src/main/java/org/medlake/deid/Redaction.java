package org.medlake.deid;

import java.util.regex.Pattern;

/**
 * Redacted hints for findings: enough for a person to locate and recognise the problem, never the value. A hint is
 * the value's pattern class and length, plus the first character for names and free text of 4 or more characters
 * (as "J***").
 */
public final class Redaction {
    private static final Pattern DATE_LIKE = Pattern.compile("(?:19|20)\\d{6}(?:\\d*(?:\\.\\d+)?)?([+-]\\d{4})?|\\d{4}[-/.]\\d{2}[-/.]\\d{2}");
    private static final Pattern TIME_LIKE = Pattern.compile("\\d{2}(?::?\\d{2}(?::?\\d{2}(?:\\.\\d{1,6})?)?)?");
    private static final Pattern DIGITS = Pattern.compile("[\\d\\s.-]+");

    private Redaction() {}

    /** A hint for a whole attribute value (all values joined with a backslash). */
    public static String hint(String value) {
        if (value == null || value.isEmpty()) {
            return "empty";
        }
        int n = value.length();
        String v = value.trim();
        if (DATE_LIKE.matcher(v).matches()) {
            return "date-like, " + n + " chars";
        }
        if (TIME_LIKE.matcher(v).matches() && v.length() >= 4) {
            return "time-like, " + n + " chars";
        }
        if (DIGITS.matcher(v).matches()) {
            return "digits, " + n + " chars";
        }
        if (v.contains("^")) {
            long parts = java.util.Arrays.stream(v.split("\\^")).filter(s -> !s.isBlank()).count();
            return first(v) + " (person-name form, " + parts + " parts, " + n + " chars)";
        }
        return first(v) + " (" + n + " chars)";
    }

    /** A hint for a free-text match: the kind of match and the size of the text it sits in. */
    public static String textHint(FreeTextScanner.Match m, String text) {
        return m.kind().name().toLowerCase(java.util.Locale.ROOT) + "-like match of " + m.length() + " chars in a "
                + text.length() + "-char text starting " + first(text.trim());
    }

    private static String first(String v) {
        // A first character of a very short value would give most of it away.
        if (v.length() < 4) {
            return "short text";
        }
        return v.isEmpty() ? "?" : v.codePoints().limit(1)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append) + "***";
    }
}
