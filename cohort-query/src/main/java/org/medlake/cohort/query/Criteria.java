package org.medlake.cohort.query;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.medlake.cohort.query.SeriesFields.Operator;
import org.medlake.cohort.query.SeriesFields.Type;

/**
 * An immutable criteria tree over series documents. Build it with the static factories ({@link #eq}, {@link #in},
 * {@link #range}, {@link #prefix}, {@link #exists}, {@link #match}, {@link #and}, {@link #or}, {@link #not},
 * {@link #all}) or parse it from JSON with {@link CriteriaParser}.
 *
 * <p>Every node is validated on construction against {@link SeriesFields}: the field must be whitelisted, the
 * operator allowed for its type and values of the right Java type ({@link String} for keyword/text,
 * {@link Long} (any integral {@link Number} is accepted) for integer fields, {@link Double} (any finite number) for
 * decimal fields, {@link LocalDate} or an ISO
 * {@code YYYY-MM-DD} string for dates). Violations throw {@link QueryException}.
 */
public sealed interface Criteria {

    /** Matches every series. */
    record All() implements Criteria {}

    /** {@code field == value}. */
    record Eq(String field, Object value) implements Criteria {
        public Eq {
            value = checkValue(field, Operator.EQ, value);
        }
    }

    /** {@code field} equals any of {@code values} (non-empty). */
    record In(String field, List<Object> values) implements Criteria {
        public In {
            checkField(field, Operator.IN);
            Objects.requireNonNull(values, "values");
            if (values.isEmpty()) {
                throw new QueryException("'in' on '" + field + "' has an empty value list; give at least one value.");
            }
            values = values.stream().map(v -> checkValue(field, Operator.IN, v)).toList();
        }
    }

    /** Bounds on {@code field}; null bounds are open, at least one must be set. */
    record Range(String field, Object gte, Object gt, Object lte, Object lt) implements Criteria {
        public Range {
            checkField(field, Operator.RANGE);
            if (gte == null && gt == null && lte == null && lt == null) {
                throw new QueryException("'range' on '" + field + "' has no bound; give at least one of gte, gt, lte, lt.");
            }
            gte = gte == null ? null : checkValue(field, Operator.RANGE, gte);
            gt = gt == null ? null : checkValue(field, Operator.RANGE, gt);
            lte = lte == null ? null : checkValue(field, Operator.RANGE, lte);
            lt = lt == null ? null : checkValue(field, Operator.RANGE, lt);
        }
    }

    /** {@code field} starts with {@code prefix}. */
    record Prefix(String field, String prefix) implements Criteria {
        public Prefix {
            checkValue(field, Operator.PREFIX, prefix);
        }
    }

    /** {@code field} has a value. */
    record Exists(String field) implements Criteria {
        public Exists {
            checkField(field, Operator.EXISTS);
        }
    }

    /** Full-text match of {@code text} in a text field. */
    record Match(String field, String text) implements Criteria {
        public Match {
            checkValue(field, Operator.MATCH, text);
        }
    }

    /** All children match (an empty list matches everything). */
    record And(List<Criteria> children) implements Criteria {
        public And {
            children = List.copyOf(children);
        }
    }

    /** At least one child matches (an empty list matches nothing). */
    record Or(List<Criteria> children) implements Criteria {
        public Or {
            children = List.copyOf(children);
        }
    }

    /** The child does not match. */
    record Not(Criteria child) implements Criteria {
        public Not {
            Objects.requireNonNull(child, "child");
        }
    }

    static Criteria all() {
        return new All();
    }

    static Criteria eq(String field, Object value) {
        return new Eq(field, value);
    }

    static Criteria in(String field, Object... values) {
        return new In(field, Arrays.asList(values));
    }

    static Criteria in(String field, List<?> values) {
        return new In(field, List.copyOf(values));
    }

    /** Inclusive range; either bound may be null. */
    static Criteria range(String field, Object gte, Object lte) {
        return new Range(field, gte, null, lte, null);
    }

    static Criteria prefix(String field, String prefix) {
        return new Prefix(field, prefix);
    }

    static Criteria exists(String field) {
        return new Exists(field);
    }

    static Criteria match(String field, String text) {
        return new Match(field, text);
    }

    static Criteria and(Criteria... children) {
        return new And(List.of(children));
    }

    static Criteria or(Criteria... children) {
        return new Or(List.of(children));
    }

    static Criteria not(Criteria child) {
        return new Not(child);
    }

    // ---- validation shared by the records ----

    private static Type checkField(String field, Operator op) {
        if (field == null) {
            throw new QueryException("'" + op.jsonName() + "' needs a field name.");
        }
        Type type = SeriesFields.type(field).orElseThrow(() -> new QueryException("Unknown field '" + field
                + "' in '" + op.jsonName() + "'. Queryable fields: " + String.join(", ", SeriesFields.all().keySet()) + "."));
        if (!type.operators().contains(op)) {
            throw new QueryException("Operator '" + op.jsonName() + "' is not allowed on " + type.name().toLowerCase()
                    + " field '" + field + "'. Allowed on it: "
                    + String.join(", ", type.operators().stream().map(Operator::jsonName).toList()) + ".");
        }
        return type;
    }

    private static Object checkValue(String field, Operator op, Object value) {
        Type type = checkField(field, op);
        if (value == null) {
            throw new QueryException("'" + op.jsonName() + "' on '" + field + "' has a null value; give a "
                    + describe(type) + ".");
        }
        switch (type) {
            case KEYWORD, TEXT -> {
                if (value instanceof String) {
                    return value;
                }
            }
            case INTEGER -> {
                if (value instanceof Long l && SeriesFields.INT32.contains(field)
                        && (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE)) {
                    throw new QueryException("'" + op.jsonName() + "' on field '" + field + "' has value " + l
                            + ", which is out of range; values of '" + field + "' are between " + Integer.MIN_VALUE
                            + " and " + Integer.MAX_VALUE + ".");
                }
                if (value instanceof Long) {
                    return value;
                }
                if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
                    return ((Number) value).longValue();
                }
            }
            case DECIMAL -> {
                if (value instanceof Double d && Double.isFinite(d)) {
                    return value;
                }
                if (value instanceof Number n && !(value instanceof Double) && !(value instanceof Float)) {
                    return n.doubleValue();
                }
                if (value instanceof Float f && Float.isFinite(f)) {
                    return f.doubleValue();
                }
            }
            case DATE -> {
                if (value instanceof LocalDate) {
                    return value;
                }
                if (value instanceof String s) {
                    try {
                        return LocalDate.parse(s);
                    } catch (java.time.format.DateTimeParseException e) {
                        throw new QueryException("'" + op.jsonName() + "' on date field '" + field + "' has value '"
                                + s + "', which is not a date; write dates as YYYY-MM-DD, e.g. 2024-01-31.");
                    }
                }
            }
            default -> throw new IllegalStateException(type.name());
        }
        throw new QueryException("'" + op.jsonName() + "' on field '" + field + "' has value " + quote(value)
                + " but needs a " + describe(type) + ".");
    }

    private static String quote(Object v) {
        return v instanceof String ? "'" + v + "'" : String.valueOf(v);
    }

    private static String describe(Type type) {
        return switch (type) {
            case KEYWORD, TEXT -> "string";
            case INTEGER -> "whole number";
            case DECIMAL -> "number";
            case DATE -> "date string YYYY-MM-DD";
        };
    }
}
