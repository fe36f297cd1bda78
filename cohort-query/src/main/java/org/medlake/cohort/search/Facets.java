package org.medlake.cohort.search;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The facets a search may request by name (docs/search.md): counts of matching series per value of a keyword field
 * ({@link Kind#TERMS}) or per fixed-width bucket of a numeric field ({@link Kind#HISTOGRAM}). Counts are exact (the
 * series index has one shard) and cover every series the query matches, not only the page returned.
 */
public final class Facets {
    private Facets() {}

    /** Facet kinds. */
    public enum Kind { TERMS, HISTOGRAM }

    /**
     * One facet.
     *
     * @param name     the name used in requests and responses
     * @param field    the document field it counts
     * @param kind     terms or histogram
     * @param interval bucket width of a histogram (0 for terms)
     * @param unit     the unit of histogram keys, for documentation ("" for terms)
     */
    public record Facet(String name, String field, Kind kind, double interval, String unit) {}

    /** Most buckets a terms facet returns (the rest is summed in {@code other_count}). */
    public static final int MAX_TERMS = 100;
    /** Most facets one request may ask for. */
    public static final int MAX_FACETS = 16;

    private static final Map<String, Facet> ALL;

    static {
        Map<String, Facet> m = new LinkedHashMap<>();
        terms(m, "modality", "modality");
        terms(m, "series_type", "series_type");
        terms(m, "body_part", "body_part_examined");
        terms(m, "manufacturer", "manufacturer");
        terms(m, "site", "site");
        terms(m, "sex", "patient_sex");
        terms(m, "qa_status", "qa_status");
        terms(m, "deid_status", "deid_status");
        terms(m, "completeness_status", "completeness_status");
        terms(m, "project", "project");
        m.put("age", new Facet("age", "patient_age_years", Kind.HISTOGRAM, 10, "years"));
        m.put("field_strength", new Facet("field_strength", "magnetic_field_strength", Kind.HISTOGRAM, 0.5, "tesla"));
        ALL = Collections.unmodifiableMap(m);
    }

    private static void terms(Map<String, Facet> m, String name, String field) {
        m.put(name, new Facet(name, field, Kind.TERMS, 0, ""));
    }

    /** Every facet by name, in documentation order. */
    public static Map<String, Facet> all() {
        return ALL;
    }

    /** The facet called {@code name}, if there is one. */
    public static Optional<Facet> byName(String name) {
        return Optional.ofNullable(ALL.get(name));
    }
}
