package org.medlake.cohort.search;

import java.util.List;
import java.util.Objects;
import org.medlake.cohort.query.Criteria;
import org.medlake.cohort.query.QueryException;
import org.medlake.cohort.query.SeriesFields;

/**
 * A validated series search: criteria, page size, facets, sort and cursor. Build it with {@link #of} or parse the
 * REST body with {@link SearchRequestParser}. The caller's projects are not part of it: the searcher adds them.
 *
 * @param criteria    what to match ({@link Criteria#all()} for everything the caller may see)
 * @param size        page size, 0..{@value SeriesSearch#MAX_SIZE} (0 = only total and facets)
 * @param facets      facet names from {@link Facets}, distinct, at most {@value Facets#MAX_FACETS}
 * @param sort        sort keys, at most {@value #MAX_SORT}; {@code series_instance_uid} ascending is appended as the
 *                    final tiebreak (keys after an explicit {@code series_instance_uid} key are dropped: UIDs are unique)
 * @param searchAfter null for the first page, else the previous page's {@code next_search_after}
 */
public record SearchRequest(Criteria criteria, int size, List<String> facets, List<Sort> sort, List<Object> searchAfter) {
    /** Most sort keys. */
    public static final int MAX_SORT = 5;

    /** One sort key. */
    public record Sort(String field, boolean descending) {
        public Sort {
            if (!SeriesFields.SORTABLE.contains(field)) {
                throw new QueryException("Cannot sort on '" + field + "'; sortable fields: "
                        + String.join(", ", SeriesFields.SORTABLE) + ".");
            }
        }
    }

    public SearchRequest {
        Objects.requireNonNull(criteria, "criteria");
        if (size < 0 || size > SeriesSearch.MAX_SIZE) {
            throw new QueryException("Page size " + size + " is out of range; 'size' must be between 0 (only total and "
                    + "facets) and " + SeriesSearch.MAX_SIZE + ". Page through larger results with 'search_after'.");
        }
        facets = List.copyOf(facets);
        if (facets.size() > Facets.MAX_FACETS) {
            throw new QueryException("Too many facets (" + facets.size() + "); at most " + Facets.MAX_FACETS + " per request.");
        }
        for (String f : facets) {
            if (Facets.byName(f).isEmpty()) {
                throw new QueryException("Unknown facet '" + f + "'; available facets: "
                        + String.join(", ", Facets.all().keySet()) + ".");
            }
        }
        if (facets.stream().distinct().count() != facets.size()) {
            throw new QueryException("Facet list " + facets + " names a facet twice; name each once.");
        }
        sort = List.copyOf(sort);
        if (sort.size() > MAX_SORT) {
            throw new QueryException("Too many sort keys (" + sort.size() + "); at most " + MAX_SORT + ".");
        }
        if (searchAfter != null) {
            searchAfter = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(searchAfter));
            int expected = effectiveSort(sort).size();
            if (searchAfter.size() != expected) {
                throw new QueryException("'search_after' has " + searchAfter.size() + " values but this sort needs "
                        + expected + " (one per sort key plus series_instance_uid); pass the 'next_search_after' of the "
                        + "previous page of the same query and sort.");
            }
            for (Object v : searchAfter) {
                if (v != null && !(v instanceof String) && !(v instanceof Long) && !(v instanceof Double)) {
                    throw new QueryException("'search_after' values must be strings, numbers or null, as returned in "
                            + "'next_search_after', but found " + v + ".");
                }
            }
        }
    }

    /** A first-page request without facets, sorted by series UID. */
    public static SearchRequest of(Criteria criteria, int size) {
        return new SearchRequest(criteria, size, List.of(), List.of(), null);
    }

    /** The sort actually applied: {@code sort} plus the {@code series_instance_uid} tiebreak. */
    public List<Sort> effectiveSort() {
        return effectiveSort(sort);
    }

    private static List<Sort> effectiveSort(List<Sort> sort) {
        for (int i = 0; i < sort.size(); i++) {
            if (sort.get(i).field().equals(SeriesSearch.TIEBREAK)) {
                return sort.subList(0, i + 1); // UIDs are unique: later keys could never apply
            }
        }
        List<Sort> out = new java.util.ArrayList<>(sort);
        out.add(new Sort(SeriesSearch.TIEBREAK, false));
        return List.copyOf(out);
    }
}
