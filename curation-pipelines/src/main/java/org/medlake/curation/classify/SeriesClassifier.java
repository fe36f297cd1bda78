package org.medlake.curation.classify;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Classifies a series from its {@link SeriesFeatures} with a {@link RuleSet}. Thread-safe and stateless.
 *
 * <p>Per axis (the series type, then each attribute axis the rules define for the modality) every matching rule votes
 * for its label with its weight. The votes of one label combine as a noisy-or, {@code 1 - prod(1 - w)}. The winner is
 * the best-scoring label among those with at least one <em>strong</em> vote; only when no strong rule voted do weak
 * (free-text) votes decide. So a series description can support or break a tie between acquisition-based labels, but
 * never overrides them. Confidence is {@code score(winner) * (1 - score(runner-up) / 2)}, rounded to two decimals: a
 * competing label lowers it. Ties go to the label whose first vote comes earliest in the rules file. With no vote, the
 * series type is the rules' fallback (OTHER) and an attribute axis is UNKNOWN.
 */
public final class SeriesClassifier {
    private final RuleSet rules;

    public SeriesClassifier(RuleSet rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    /** A classifier with {@link RuleSet#defaults()}. */
    public static SeriesClassifier withDefaults() {
        return new SeriesClassifier(RuleSet.defaults());
    }

    public RuleSet rules() {
        return rules;
    }

    /** Classifies one series. */
    public Classification classify(SeriesFeatures f) {
        Objects.requireNonNull(f, "f");
        String modality = f.modality();
        Map<String, List<Vote>> byAxis = new LinkedHashMap<>();
        int order = 0;
        for (Rule r : rules.rules()) {
            order++;
            if (r.appliesTo(modality) && r.condition().test(f)) {
                byAxis.computeIfAbsent(r.axis(), k -> new ArrayList<>()).add(new Vote(r, order, r.evidence(f)));
            }
        }
        List<String> evidence = new ArrayList<>();
        Decision type = decide(byAxis.getOrDefault(Rule.SERIES_TYPE, List.of()));
        String seriesType;
        double confidence;
        if (type == null) {
            seriesType = rules.fallbackSeriesType();
            confidence = rules.fallbackConfidence();
            evidence.add("no " + (modality == null ? "" : modality + " ") + "rule matched the acquisition: "
                    + seriesType.toLowerCase(java.util.Locale.ROOT));
        } else {
            seriesType = type.label;
            confidence = type.confidence;
            evidence.addAll(type.evidence);
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        for (String axis : rules.attributeAxes(modality)) {
            Decision d = decide(byAxis.getOrDefault(axis, List.of()));
            if (d == null) {
                attributes.put(axis, rules.fallbackAttribute());
            } else {
                attributes.put(axis, d.label);
                evidence.add(axis + "=" + d.label + " (" + String.format(java.util.Locale.ROOT, "%.2f", d.confidence)
                        + "): " + d.evidence.get(0));
            }
        }
        return new Classification(f.seriesInstanceUid(), modality, seriesType, confidence, evidence, attributes,
                rules.version());
    }

    private record Vote(Rule rule, int order, String evidence) {
        boolean strong() {
            return rule.strength() == Rule.Strength.STRONG;
        }
    }

    private record Decision(String label, double confidence, List<String> evidence) {}

    /** One axis: the winning label, its confidence and the evidence, or {@code null} without votes. */
    private static Decision decide(List<Vote> votes) {
        if (votes.isEmpty()) {
            return null;
        }
        Map<String, List<Vote>> byLabel = new LinkedHashMap<>(); // insertion order = first vote's rule order
        for (Vote v : votes) {
            byLabel.computeIfAbsent(v.rule.label(), k -> new ArrayList<>()).add(v);
        }
        boolean anyStrong = votes.stream().anyMatch(Vote::strong);
        String winner = null;
        double best = -1;
        for (Map.Entry<String, List<Vote>> e : byLabel.entrySet()) {
            boolean eligible = !anyStrong || e.getValue().stream().anyMatch(Vote::strong);
            double s = score(e.getValue());
            if (eligible && s > best) {
                best = s;
                winner = e.getKey();
            }
        }
        double runnerUp = 0;
        for (Map.Entry<String, List<Vote>> e : byLabel.entrySet()) {
            if (!e.getKey().equals(winner)) runnerUp = Math.max(runnerUp, score(e.getValue()));
        }
        double confidence = Math.round(best * (1 - runnerUp / 2) * 100) / 100.0;
        List<String> evidence = new ArrayList<>();
        byLabel.get(winner).stream()
                .sorted(Comparator.comparing((Vote v) -> !v.strong()).thenComparing(v -> -v.rule.weight()))
                .forEach(v -> evidence.add((v.strong() ? "" : "(weak) ") + v.evidence + " [" + v.rule.id() + "]"));
        for (Map.Entry<String, List<Vote>> e : byLabel.entrySet()) {
            if (e.getKey().equals(winner)) continue;
            Vote top = e.getValue().stream().max(Comparator.comparingDouble(v -> v.rule.weight())).orElseThrow();
            String why = anyStrong && e.getValue().stream().noneMatch(Vote::strong)
                    ? "overridden by acquisition evidence" : "outscored";
            evidence.add("(" + why + ") " + e.getKey() + ": " + top.evidence + " [" + top.rule.id() + "]");
        }
        return new Decision(winner, confidence, evidence);
    }

    private static double score(List<Vote> votes) {
        double miss = 1;
        for (Vote v : votes) miss *= 1 - v.rule.weight();
        return 1 - miss;
    }
}
