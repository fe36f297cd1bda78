package org.medlake.curation.qa;

import java.util.List;

/**
 * QA verdict of one series.
 *
 * @param status worst PASS/WARN/FAIL among the metrics; NOT_EVALUATED when no metric has one
 * @param metrics the metrics in a stable order (all-modality metrics first)
 * @param thresholdsVersion version of the thresholds file that judged them
 */
public record QaResult(QaStatus status, List<Metric> metrics, int thresholdsVersion) {
    public QaResult {
        metrics = List.copyOf(metrics);
    }

    /** Rolls metrics up to a series verdict. */
    public static QaResult of(List<Metric> metrics, int thresholdsVersion) {
        QaStatus worst = QaStatus.NOT_EVALUATED;
        for (Metric m : metrics) {
            if (m.status().severity() > worst.severity()) {
                worst = m.status();
            }
        }
        return new QaResult(worst, metrics, thresholdsVersion);
    }

    /**
     * One row of the {@code qa_metrics} table.
     *
     * @param seriesInstanceUid series the metric belongs to
     * @param value null when NOT_EVALUATED
     */
    public record Row(String seriesInstanceUid, String qaStatus, String name, Double value, String unit, String status,
                      String formulaId, String note, int thresholdsVersion) {}

    /** The rows of this result for the {@code qa_metrics} table (one per metric, series status repeated). */
    public List<Row> rows(String seriesInstanceUid) {
        return metrics.stream().map(m -> new Row(seriesInstanceUid, status.name(), m.name(), m.value(), m.unit(),
                m.status().name(), m.formulaId(), m.note(), thresholdsVersion)).toList();
    }

    /** The metric with this name, or null. */
    public Metric metric(String name) {
        return metrics.stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
    }
}
