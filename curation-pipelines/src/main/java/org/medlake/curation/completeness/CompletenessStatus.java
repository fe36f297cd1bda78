package org.medlake.curation.completeness;

/**
 * Verdict on a series or study, from best to worst. COMPLETE: nothing missing, nothing contradictory.
 * INCOMPLETE: something is missing (slices, instances, geometry) but what is there is consistent.
 * INCONSISTENT: the instances contradict each other (duplicates, mixed orientation or matrix, uneven spacing,
 * more instances than announced); a converter cannot build one regular volume from them.
 */
public enum CompletenessStatus {
    COMPLETE, INCOMPLETE, INCONSISTENT;

    /** The worse of two verdicts. */
    public CompletenessStatus worst(CompletenessStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
