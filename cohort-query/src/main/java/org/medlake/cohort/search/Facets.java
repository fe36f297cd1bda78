package org.medlake.cohort.search;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.List;
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
     * @param name        the name used in requests and responses
     * @param field       the document field it counts
     * @param kind        terms or histogram
     * @param interval    bucket width of a histogram (0 for terms)
     * @param unit        the unit of histogram keys, for documentation ("" for terms)
     * @param bucketField for a histogram, the keyword field the indexer fills with each document's bucket key
     *                    ({@link #bucketKey}); counting its terms is several times cheaper than a numeric histogram
     *                    aggregation. Null for terms facets.
     */
    public record Facet(String name, String field, Kind kind, double interval, String unit, String bucketField) {}

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
        m.put("age", new Facet("age", "patient_age_years", Kind.HISTOGRAM, 10, "years", "patient_age_bucket"));
        m.put("field_strength", new Facet("field_strength", "magnetic_field_strength", Kind.HISTOGRAM, 0.5, "tesla",
                "magnetic_field_strength_bucket"));
        ALL = Collections.unmodifiableMap(m);
    }

    private static void terms(Map<String, Facet> m, String name, String field) {
        m.put(name, new Facet(name, field, Kind.TERMS, 0, "", null));
    }

    /** The bucket fields of the histogram facets: indexed, never returned in search results. */
    public static final List<String> BUCKET_FIELDS = List.of("patient_age_bucket", "magnetic_field_strength_bucket");

    /**
     * The lower bound of the histogram bucket holding {@code value}, as stored in the bucket field:
     * {@code floor(value / interval) * interval} in plain notation without trailing zeros ({@code "40"}, {@code "1.5"}).
     */
    public static String bucketKey(double value, double interval) {
        double key = Math.floor(value / interval) * interval;
        return BigDecimal.valueOf(key).stripTrailingZeros().toPlainString();
    }

    /**
     * Adds the bucket fields of every histogram facet to a series document that has the facet's field (a number);
     * the indexer calls this for every document it writes.
     */
    public static void addBucketFields(Map<String, Object> doc) {
        for (Facet f : ALL.values()) {
            if (f.kind() == Kind.HISTOGRAM && doc.get(f.field()) instanceof Number n) {
                doc.put(f.bucketField(), bucketKey(n.doubleValue(), f.interval()));
            }
        }
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
