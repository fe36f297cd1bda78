package org.medlake.sdk;

import java.util.List;

/**
 * One page of a series search.
 *
 * @param total number of series matching the query in all pages
 * @param series the series of this page
 * @param nextCursor opaque cursor for the next page, {@code null} on the last page
 */
public record SeriesPage(long total, List<SeriesSummary> series, List<Object> nextCursor) {

    /** Copies the lists so the value stays immutable. */
    public SeriesPage {
        series = List.copyOf(series);
        nextCursor = nextCursor == null ? null : List.copyOf(nextCursor);
    }

    /** Whether another page follows. */
    public boolean hasNext() {
        return nextCursor != null && !series.isEmpty();
    }
}
