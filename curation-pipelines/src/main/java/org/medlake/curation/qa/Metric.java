package org.medlake.curation.qa;

import java.util.Objects;

/**
 * One measured quality metric.
 *
 * @param name metric name, also the key in the thresholds file (e.g. {@code mr_snr})
 * @param value the measurement, or {@code null} when NOT_EVALUATED
 * @param unit unit of {@code value} ("ratio", "HU", "fraction")
 * @param status verdict from the thresholds
 * @param formulaId versioned id of the formula documented on {@link QaMetrics} (e.g. {@code mr_snr_v1})
 * @param note why a metric was not evaluated, or other context; {@code null} when there is nothing to say
 */
public record Metric(String name, Double value, String unit, QaStatus status, String formulaId, String note) {
    public Metric {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        if (value != null && !Double.isFinite(value)) {
            value = null;
        }
    }
}
