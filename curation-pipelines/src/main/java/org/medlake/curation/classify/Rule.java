package org.medlake.curation.classify;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One classification rule: when {@link #condition()} holds for a series of one of {@link #modalities()}, it votes
 * {@link #label()} on {@link #axis()} with {@link #weight()} and explains itself with {@link #evidence(SeriesFeatures)}.
 *
 * <p>{@code axis} is {@value #SERIES_TYPE} for the series type, or the name of an attribute axis (e.g. {@code dose},
 * {@code contrast}, {@code body_region}). {@link Strength#WEAK} rules (series description keywords) only decide when no
 * {@link Strength#STRONG} rule voted on the axis; see {@link SeriesClassifier}.
 */
public record Rule(String id, Set<String> modalities, String axis, String label, Strength strength, double weight,
                   Condition condition, String evidenceTemplate) {
    /** The axis name of the series type. */
    public static final String SERIES_TYPE = "series_type";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");

    /** How much a rule's evidence counts. */
    public enum Strength {
        /** Evidence from the acquisition itself (sequence, timing, b-values, image type, dose ...). */
        STRONG,
        /** Evidence from free text (series description, protocol name): never overrides strong evidence. */
        WEAK
    }

    public Rule {
        Objects.requireNonNull(id, "id");
        modalities = Set.copyOf(modalities);
        Objects.requireNonNull(axis, "axis");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(strength, "strength");
        if (!(weight > 0 && weight <= 1)) {
            throw new IllegalArgumentException("weight must be in (0, 1], got " + weight);
        }
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(evidenceTemplate, "evidenceTemplate");
    }

    /** True when the rule applies to a modality ({@code *} matches every modality, including a missing one). */
    public boolean appliesTo(String modality) {
        return modalities.contains("*") || (modality != null && modalities.contains(modality.toUpperCase(Locale.ROOT)));
    }

    /** The evidence template with every {@code {feature}} replaced by the series' value ({@code ?} when absent). */
    public String evidence(SeriesFeatures f) {
        Matcher m = PLACEHOLDER.matcher(evidenceTemplate);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, Matcher.quoteReplacement(format(f.get(m.group(1)))));
        }
        m.appendTail(b);
        return b.toString();
    }

    /** The feature names a template refers to. */
    static List<String> placeholders(String template) {
        return PLACEHOLDER.matcher(template).results().map(r -> r.group(1)).toList();
    }

    static String format(Object v) {
        if (v == null) return "?";
        if (v instanceof Double d) {
            if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString(d.longValue());
            return String.format(Locale.ROOT, "%.4g", d).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
        }
        if (v instanceof List<?> l) {
            return String.join("\\", l.stream().map(Rule::format).toList());
        }
        return v.toString();
    }
}
