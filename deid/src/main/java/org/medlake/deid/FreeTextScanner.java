package org.medlake.deid;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scans free text (descriptions, comments, history, text content) for the kinds of identifiers PS3.15 Annex E asks
 * to clean: person names, dates, identifiers, phone numbers, e-mail addresses and street addresses. Pure and
 * stateless; returns what kind of identifier matched, never the matched text. Heuristic by nature: it is tuned to
 * miss little in the text attributes listed by the profile, not to parse prose.
 */
public final class FreeTextScanner {

    /** The kinds of identifier the scanner recognises. */
    public enum Kind { NAME, DATE, ID, PHONE, EMAIL, ADDRESS }

    /**
     * One hit.
     *
     * @param kind what was recognised
     * @param length the length of the matched text (for the redacted hint)
     */
    public record Match(Kind kind, int length) {}

    private static final String MONTH = "(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?";
    private static final List<Pattern> DATES = List.of(
            Pattern.compile("\\b(?:19|20)\\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\\d|3[01])\\b"),
            Pattern.compile("\\b(?:0?[1-9]|[12]\\d|3[01])[-/.](?:0?[1-9]|[12]\\d|3[01])[-/.](?:19|20)\\d{2}\\b"),
            // two-digit years only with slashes: "2.1.15" is a version, "2/1/15" a date
            Pattern.compile("\\b(?:0?[1-9]|[12]\\d|3[01])/(?:0?[1-9]|[12]\\d|3[01])/\\d{2}\\b"),
            Pattern.compile("(?<![\\d.])(?:19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])(?![\\d.])"),
            Pattern.compile("\\b\\d{1,2}(?:st|nd|rd|th)?\\s+" + MONTH + ",?\\s+\\d{2,4}\\b", Pattern.CASE_INSENSITIVE),
            Pattern.compile("\\b" + MONTH + "\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}\\b", Pattern.CASE_INSENSITIVE));
    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");
    private static final List<Pattern> PHONES = List.of(
            Pattern.compile("(?<![\\d.])(?:\\+\\d{1,3}[\\s.-]?)?\\(?\\d{3}\\)?[\\s.-]\\d{3}[\\s.-]\\d{4}(?![\\d.])"),
            Pattern.compile("\\b(?:tel|phone|ph|fax|mobile|cell)\\b\\.?:?\\s*\\+?\\d[\\d\\s().-]{5,}\\d", Pattern.CASE_INSENSITIVE));
    private static final List<Pattern> ADDRESSES = List.of(
            // Case-sensitive suffixes, so that "3 phase liver CT" or "2 mm st" are not addresses.
            Pattern.compile("\\b\\d{1,5}\\s+(?:[A-Za-z0-9.'-]+\\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln"
                    + "|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Highway|Hwy|Parkway|Pkwy|Square|Sq|STREET|AVENUE|ROAD"
                    + "|BOULEVARD|LANE|DRIVE|COURT|TERRACE|HIGHWAY|PARKWAY)\\b\\.?"),
            Pattern.compile("\\bp\\.?\\s?o\\.?\\s+box\\s+\\d+", Pattern.CASE_INSENSITIVE),
            Pattern.compile("\\b[A-Z]{2}\\s+\\d{5}(?:-\\d{4})?\\b"));
    private static final List<Pattern> IDS = List.of(
            Pattern.compile("\\b(?:mrn|mr#|ssn|nhs|id|accession|acc|patient\\s*(?:no|number|id)|record)\\b\\s*(?:no\\.?|number)?"
                    + "\\s*[#:=.]?\\s*[A-Z]{0,3}-?\\d{4,}\\b", Pattern.CASE_INSENSITIVE),
            Pattern.compile("\\b\\d{3}-\\d{2}-\\d{4}\\b"),
            Pattern.compile("(?<![\\d.])\\d{7,}(?![\\d.])"));
    private static final List<Pattern> NAMES = List.of(
            // "ms"/"MS" (milliseconds) and lower-case "miss" are left out on purpose: "TE 30 ms Dixon" is no name.
            Pattern.compile("\\b(?:dr|mr|mrs|prof)\\.?\\s+[A-Z][a-z]+"),
            Pattern.compile("\\b(?:Dr|Mr|Mrs|Ms|Miss|Prof|DR|MR|MRS|PROF)\\.?\\s+[A-Z][A-Za-z'-]+"),
            Pattern.compile("\\b[A-Z][A-Za-z'-]+\\^[A-Z][A-Za-z'-]+"),
            Pattern.compile("\\b(?i:patient|pt|name|named)\\b\\.?:?\\s+[A-Z][a-z]+\\s+[A-Z][a-z]+"));

    private FreeTextScanner() {}

    /**
     * Scans {@code text} for identifiers.
     *
     * @param text the text; {@code null} or blank gives no matches
     * @param nameTokens words of the patient's real name (3+ letters) to look for as whole words, case-insensitive;
     *     may be empty
     * @return at most one match per kind, in {@link Kind} order
     */
    public static List<Match> scan(String text, Collection<String> nameTokens) {
        List<Match> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        Match name = first(Kind.NAME, text, NAMES);
        if (name == null) {
            name = nameToken(text, nameTokens);
        }
        add(out, name);
        add(out, first(Kind.DATE, text, DATES));
        add(out, first(Kind.ID, text, IDS));
        add(out, first(Kind.PHONE, text, PHONES));
        add(out, first(Kind.EMAIL, text, List.of(EMAIL)));
        add(out, first(Kind.ADDRESS, text, ADDRESSES));
        return out;
    }

    /**
     * The narrow scan used for short coded strings (LO/SH attributes the profile does not list): only the patient's
     * name words and e-mail addresses, which have no innocent reason to be there.
     */
    public static List<Match> scanShort(String text, Collection<String> nameTokens) {
        List<Match> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        add(out, nameToken(text, nameTokens));
        add(out, first(Kind.EMAIL, text, List.of(EMAIL)));
        return out;
    }

    private static Match nameToken(String text, Collection<String> tokens) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (String t : tokens) {
            Matcher m = Pattern.compile("\\b" + Pattern.quote(t.toLowerCase(Locale.ROOT)) + "\\b").matcher(lower);
            if (m.find()) {
                return new Match(Kind.NAME, t.length());
            }
        }
        return null;
    }

    private static void add(List<Match> out, Match m) {
        if (m != null) {
            out.add(m);
        }
    }

    private static Match first(Kind kind, String text, List<Pattern> patterns) {
        for (Pattern p : patterns) {
            Matcher m = p.matcher(text);
            if (m.find()) {
                return new Match(kind, m.end() - m.start());
            }
        }
        return null;
    }
}
