package org.medlake.curation.completeness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Study-level roll-up of series reports: the status is the worst series status (and INCOMPLETE when fewer series
 * than expected arrived); every reason of a non-complete series is repeated with the series UID in front.
 *
 * @param studyInstanceUid the study
 * @param status worst of the series statuses and the series count check
 * @param reasons roll-up reasons, series by series in UID order
 * @param seriesStatus each series' status, by SeriesInstanceUID
 */
public record StudyCompleteness(String studyInstanceUid, CompletenessStatus status, List<Reason> reasons,
                                Map<String, CompletenessStatus> seriesStatus) {
    public StudyCompleteness {
        reasons = List.copyOf(reasons);
        seriesStatus = Map.copyOf(seriesStatus);
    }

    /**
     * Rolls series reports up to the study.
     *
     * @param bySeries report per SeriesInstanceUID
     * @param expectedSeries NumberOfStudyRelatedSeries from a query, or {@code null} when unknown
     */
    public static StudyCompleteness of(String studyInstanceUid, Map<String, CompletenessReport> bySeries,
                                       Integer expectedSeries) {
        Objects.requireNonNull(bySeries, "bySeries");
        List<Reason> reasons = new ArrayList<>();
        Map<String, CompletenessStatus> statuses = new TreeMap<>();
        CompletenessStatus status = CompletenessStatus.COMPLETE;
        for (Map.Entry<String, CompletenessReport> e : new TreeMap<>(bySeries).entrySet()) {
            statuses.put(e.getKey(), e.getValue().status());
            status = status.worst(e.getValue().status());
            for (Reason r : e.getValue().reasons()) {
                reasons.add(new Reason(r.code(), "Series " + e.getKey() + ": " + r.message(), r.impact()));
            }
        }
        if (expectedSeries != null && expectedSeries != bySeries.size()) {
            CompletenessStatus impact = bySeries.size() < expectedSeries ? CompletenessStatus.INCOMPLETE
                    : CompletenessStatus.INCONSISTENT;
            reasons.add(new Reason(Reason.Code.COUNT_MISMATCH, "The study should have " + expectedSeries
                    + " series but " + bySeries.size() + " arrived.", impact));
            status = status.worst(impact);
        }
        return new StudyCompleteness(studyInstanceUid, status, reasons, statuses);
    }
}
