package org.medlake.curation.qa;

/**
 * Verdict of one metric or one series. PASS/WARN/FAIL come from {@link QaThresholds}; INFO is a measured metric
 * without a threshold; NOT_EVALUATED is a metric that could not be measured (no air in the field of view, zero-filled
 * background, undecodable pixels). A series is NOT_EVALUATED only when none of its metrics has a verdict.
 */
public enum QaStatus {
    PASS, WARN, FAIL, INFO, NOT_EVALUATED;

    /** Severity for roll-up: FAIL > WARN > PASS; INFO and NOT_EVALUATED never decide. */
    int severity() {
        return switch (this) {
            case FAIL -> 3;
            case WARN -> 2;
            case PASS -> 1;
            default -> 0;
        };
    }
}
