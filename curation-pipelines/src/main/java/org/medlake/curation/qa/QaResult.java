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

    /** The metric with this name, or null. */
    public Metric metric(String name) {
        return metrics.stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
    }
}
