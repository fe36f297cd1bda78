package org.medlake.cohort.query;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The whitelist of series-document fields that criteria may use, with their types. This mirrors the explicit
 * mapping in {@code infra/elasticsearch/series-template.json}; a field not listed here cannot be queried.
 *
 * <table>
 *   <caption>Operators by type</caption>
 *   <tr><th>type</th><th>fields</th><th>operators</th></tr>
 *   <tr><td>KEYWORD</td><td>modality, project, site, patient_id, body_part_examined, manufacturer, patient_sex,
 *       sop_class_uid, series_instance_uid, study_instance_uid, and from curation series_type, deid_status,
 *       completeness_status, qa_status</td><td>eq, in, prefix, exists</td></tr>
 *   <tr><td>INTEGER</td><td>patient_age_years, instance_count, series_number, size_bytes</td>
 *       <td>eq, in, range, exists</td></tr>
 *   <tr><td>DECIMAL</td><td>magnetic_field_strength (tesla), series_type_confidence (0..1); values any JSON number</td>
 *       <td>eq, in, range, exists</td></tr>
 *   <tr><td>DATE</td><td>study_date (values {@code YYYY-MM-DD})</td><td>eq, in, range, exists</td></tr>
 *   <tr><td>TEXT</td><td>series_description, study_description</td><td>match, eq, in, prefix, exists
 *       (eq/in/prefix compare the exact string)</td></tr>
 * </table>
 *
 * <p>{@link #SORTABLE} lists the fields a search may sort on (docs/search.md).
 */
public final class SeriesFields {
    private SeriesFields() {}

    /** Field types. */
    public enum Type {
        KEYWORD(EnumSet.of(Operator.EQ, Operator.IN, Operator.PREFIX, Operator.EXISTS)),
        INTEGER(EnumSet.of(Operator.EQ, Operator.IN, Operator.RANGE, Operator.EXISTS)),
        DECIMAL(EnumSet.of(Operator.EQ, Operator.IN, Operator.RANGE, Operator.EXISTS)),
        DATE(EnumSet.of(Operator.EQ, Operator.IN, Operator.RANGE, Operator.EXISTS)),
        TEXT(EnumSet.of(Operator.MATCH, Operator.EQ, Operator.IN, Operator.PREFIX, Operator.EXISTS));

        private final Set<Operator> operators;

        Type(Set<Operator> operators) {
            this.operators = Collections.unmodifiableSet(operators);
        }

        /** Field operators allowed on fields of this type. */
        public Set<Operator> operators() {
            return operators;
        }
    }

    /** Field-level operators (the boolean ones, and/or/not, take criteria instead of a field). */
    public enum Operator {
        EQ, IN, RANGE, PREFIX, EXISTS, MATCH;

        /** The JSON name. */
        public String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Suffix of the keyword sub-field of text fields, used for exact comparisons. */
    public static final String EXACT_SUBFIELD = "keyword";

    private static final Map<String, Type> FIELDS;

    static {
        Map<String, Type> m = new LinkedHashMap<>();
        for (String f : new String[] {"modality", "project", "site", "patient_id", "body_part_examined", "manufacturer",
                "patient_sex", "sop_class_uid", "series_instance_uid", "study_instance_uid",
                "series_type", "deid_status", "completeness_status", "qa_status"}) {
            m.put(f, Type.KEYWORD);
        }
        for (String f : new String[] {"patient_age_years", "instance_count", "series_number", "size_bytes"}) {
            m.put(f, Type.INTEGER);
        }
        m.put("magnetic_field_strength", Type.DECIMAL);
        m.put("series_type_confidence", Type.DECIMAL);
        m.put("study_date", Type.DATE);
        m.put("series_description", Type.TEXT);
        m.put("study_description", Type.TEXT);
        FIELDS = Collections.unmodifiableMap(m);
    }

    /**
     * Fields a search may sort on: every keyword, integer, decimal and date field (text fields are not sortable).
     * Results are always finally ordered by {@code series_instance_uid}, which makes paging stable.
     */
    public static final Set<String> SORTABLE;

    static {
        Set<String> s = new java.util.LinkedHashSet<>();
        FIELDS.forEach((f, t) -> {
            if (t != Type.TEXT) {
                s.add(f);
            }
        });
        SORTABLE = Collections.unmodifiableSet(s);
    }

    /** Integer fields stored as 32-bit integers in the index: values must fit in -2^31..2^31-1. */
    public static final Set<String> INT32 = Set.of("patient_age_years", "instance_count", "series_number");

    /** All queryable fields with their types, in documentation order. */
    public static Map<String, Type> all() {
        return FIELDS;
    }

    /** The type of {@code field}, or empty if it is not queryable. */
    public static Optional<Type> type(String field) {
        return Optional.ofNullable(FIELDS.get(field));
    }
}
