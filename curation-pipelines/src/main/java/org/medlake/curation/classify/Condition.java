package org.medlake.curation.classify;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.medlake.curation.classify.SeriesFeatures.Feature;

/**
 * One test over series features, as written in a rules file. A leaf tests one feature with one operator; {@code all},
 * {@code any} and {@code not} combine tests. A test of an absent feature is false (except {@code present: false} and
 * {@code contains_none}), so a rule never fires on missing evidence. Text comparisons ignore case.
 *
 * <p>Operators: {@code eq}, {@code in} (value is one of), {@code contains_any}, {@code contains_all},
 * {@code contains_none} (for lists; a text value is a one-element list), {@code matches} (regular expression found in
 * the text or in any list element), {@code gt}, {@code gte}, {@code lt}, {@code lte}, {@code between} ([low, high]
 * inclusive; for a number list: any element), {@code present} (true/false).
 */
public sealed interface Condition {
    /** Operator names accepted in leaf conditions. */
    Set<String> OPERATORS = Set.of("eq", "in", "contains_any", "contains_all", "contains_none", "matches", "gt", "gte",
            "lt", "lte", "between", "present");

    /** True when the condition holds for the series. */
    boolean test(SeriesFeatures f);

    /** The feature names this condition reads. */
    List<Feature> features();

    /** All sub-conditions hold. */
    record All(List<Condition> parts) implements Condition {
        public All {
            parts = List.copyOf(parts);
        }

        @Override
        public boolean test(SeriesFeatures f) {
            return parts.stream().allMatch(c -> c.test(f));
        }

        @Override
        public List<Feature> features() {
            return parts.stream().flatMap(c -> c.features().stream()).toList();
        }
    }

    /** At least one sub-condition holds. */
    record Any(List<Condition> parts) implements Condition {
        public Any {
            parts = List.copyOf(parts);
        }

        @Override
        public boolean test(SeriesFeatures f) {
            return parts.stream().anyMatch(c -> c.test(f));
        }

        @Override
        public List<Feature> features() {
            return parts.stream().flatMap(c -> c.features().stream()).toList();
        }
    }

    /** The sub-condition does not hold. */
    record Not(Condition part) implements Condition {
        @Override
        public boolean test(SeriesFeatures f) {
            return !part.test(f);
        }

        @Override
        public List<Feature> features() {
            return part.features();
        }
    }

    /**
     * One operator on one feature. {@code texts} holds the upper-cased operand for text operators, {@code numbers} the
     * operand(s) for numeric ones, {@code pattern} the compiled regular expression for {@code matches}.
     */
    record Leaf(Feature feature, String operator, List<String> texts, List<Double> numbers, Pattern pattern,
                Boolean flag) implements Condition {
        public Leaf {
            texts = texts == null ? List.of() : List.copyOf(texts);
            numbers = numbers == null ? List.of() : List.copyOf(numbers);
        }

        @Override
        public List<Feature> features() {
            return List.of(feature);
        }

        @Override
        public boolean test(SeriesFeatures f) {
            Object v = f.get(feature);
            if (operator.equals("present")) {
                boolean present = v != null && !(v instanceof List<?> l && l.isEmpty());
                return present == flag;
            }
            if (v == null || v instanceof List<?> l && l.isEmpty()) {
                // Missing evidence never fires a rule; only "contains none of" holds for nothing at all.
                return operator.equals("contains_none");
            }
            switch (operator) {
                case "eq":
                    if (v instanceof Boolean b) return b.equals(flag);
                    if (v instanceof Double d) return d.equals(numbers.get(0));
                    return textValues(v).size() == 1 && textValues(v).get(0).equals(texts.get(0));
                case "in":
                    if (v instanceof Double d) return numbers.contains(d);
                    return textValues(v).stream().anyMatch(texts::contains);
                case "contains_any":
                    return textValues(v).stream().anyMatch(texts::contains);
                case "contains_all":
                    return textValues(v).containsAll(texts);
                case "contains_none":
                    return textValues(v).stream().noneMatch(texts::contains);
                case "matches":
                    return textValues(v).stream().anyMatch(s -> pattern.matcher(s).find());
                default:
                    return numericTest(v);
            }
        }

        private boolean numericTest(Object v) {
            List<Double> xs = new ArrayList<>();
            if (v instanceof Double d) {
                xs.add(d);
            } else if (v instanceof List<?> l) {
                for (Object o : l) {
                    if (o instanceof Double d) xs.add(d);
                }
            }
            for (double x : xs) {
                boolean ok = switch (operator) {
                    case "gt" -> x > numbers.get(0);
                    case "gte" -> x >= numbers.get(0);
                    case "lt" -> x < numbers.get(0);
                    case "lte" -> x <= numbers.get(0);
                    case "between" -> x >= numbers.get(0) && x <= numbers.get(1);
                    default -> false;
                };
                if (ok) return true;
            }
            return false;
        }

        private static List<String> textValues(Object v) {
            if (v instanceof List<?> l) {
                List<String> out = new ArrayList<>();
                for (Object o : l) out.add(String.valueOf(o).toUpperCase(Locale.ROOT));
                return out;
            }
            return List.of(String.valueOf(v).toUpperCase(Locale.ROOT));
        }
    }
}
