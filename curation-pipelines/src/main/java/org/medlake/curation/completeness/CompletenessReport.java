package org.medlake.curation.completeness;

import java.util.List;

/**
 * Result of {@link CompletenessChecker#check}.
 *
 * @param status the worst impact of all reasons, COMPLETE when there are none
 * @param reasons findings in a stable order (by code, then discovery order)
 * @param instances number of instances checked (after removing exact duplicates)
 * @param slicePositions distinct slice positions along the slice normal of the largest geometry group (0 if unknown)
 * @param volumes volumes found: groups (echo, temporal position, stack, orientation) times repetitions per position
 * @param sliceSpacing median spacing of adjacent slice positions in mm, or {@code null} when fewer than 2 positions
 */
public record CompletenessReport(CompletenessStatus status, List<Reason> reasons, int instances, int slicePositions,
                                 int volumes, Double sliceSpacing) {
    public CompletenessReport {
        reasons = List.copyOf(reasons);
    }

    /** Whether a finding with this code was reported. */
    public boolean has(Reason.Code code) {
        return reasons.stream().anyMatch(r -> r.code() == code);
    }
}
