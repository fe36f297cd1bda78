package org.medlake.cohort.cohorts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.medlake.cohort.CohortException;
import org.medlake.cohort.query.Criteria;
import org.medlake.cohort.search.SeriesSearch;

/** Collects every series a cohort's criteria select in its project, page by page, from the search. */
public final class CohortSearch {
    private CohortSearch() {}

    /** Largest number of series one cohort version may have. */
    public static final int MAX_SERIES = 100_000;

    /**
     * The UIDs of all released series of {@code project} matching {@code criteria} (the search adds the project
     * filter and {@code released: true}), in UID order.
     *
     * @throws CohortException USER_ERROR when more than {@value #MAX_SERIES} series match; EXTERNAL when the search fails
     */
    public static List<String> seriesOf(SeriesSearch search, Criteria criteria, String project) {
        List<String> uids = new ArrayList<>();
        List<?> after = null;
        do {
            SeriesSearch.Page page = search.search(criteria, Set.of(project), SeriesSearch.MAX_SIZE, after);
            for (Map<String, Object> doc : page.series()) {
                uids.add((String) doc.get("series_instance_uid"));
            }
            if (uids.size() > MAX_SERIES) {
                throw new CohortException(CohortException.ErrorCode.USER_ERROR, "The cohort's query selects more than "
                        + MAX_SERIES + " series in project '" + project + "' (" + page.total() + "); a frozen version "
                        + "holds at most " + MAX_SERIES + ". Narrow the query, e.g. by modality or study date.");
            }
            after = page.nextSearchAfter();
        } while (after != null);
        return uids;
    }
}
