package org.medlake.sdk;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable search criterion in medlake's query language, built with the static factories:
 *
 * <pre>{@code
 * Query q = Query.and(Query.eq("modality", "MR"), Query.range("patient_age_years", 50, 80));
 * }</pre>
 *
 * The server validates field names and types and answers 400 naming what is wrong.
 */
public final class Query {
    private final Map<String, Object> tree;

    private Query(Map<String, Object> tree) {
        this.tree = tree;
    }

    /** Matches everything the caller may see. */
    public static Query all() {
        return new Query(Map.of());
    }

    /** {@code field} equals {@code value}. */
    public static Query eq(String field, Object value) {
        return op("eq", Map.of(field, value));
    }

    /** {@code field} equals one of {@code values}. */
    public static Query in(String field, Object... values) {
        return op("in", Map.of(field, List.of(values)));
    }

    /** {@code gte <= field <= lte}; either bound may be {@code null}. */
    public static Query range(String field, Object gte, Object lte) {
        Map<String, Object> bounds = new LinkedHashMap<>();
        if (gte != null) {
            bounds.put("gte", gte);
        }
        if (lte != null) {
            bounds.put("lte", lte);
        }
        return op("range", Map.of(field, bounds));
    }

    /** {@code field} starts with {@code prefix}. */
    public static Query prefix(String field, String prefix) {
        return op("prefix", Map.of(field, prefix));
    }

    /** {@code field} has a value. */
    public static Query exists(String field) {
        return op("exists", field);
    }

    /** Full-text match on a description field. */
    public static Query match(String field, String text) {
        return op("match", Map.of(field, text));
    }

    /** All of {@code queries}. */
    public static Query and(Query... queries) {
        return op("and", trees(queries));
    }

    /** Any of {@code queries}. */
    public static Query or(Query... queries) {
        return op("or", trees(queries));
    }

    /** Not {@code query}. */
    public static Query not(Query query) {
        return op("not", query.tree);
    }

    /** The JSON-ready tree (maps and lists) sent to the server. */
    public Map<String, Object> toTree() {
        return tree;
    }

    private static Query op(String name, Object arg) {
        return new Query(Map.of(name, Objects.requireNonNull(arg)));
    }

    private static List<Object> trees(Query[] queries) {
        return Arrays.stream(queries).map(q -> (Object) q.tree).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Query q && q.tree.equals(tree);
    }

    @Override
    public int hashCode() {
        return tree.hashCode();
    }

    @Override
    public String toString() {
        return tree.toString();
    }
}
