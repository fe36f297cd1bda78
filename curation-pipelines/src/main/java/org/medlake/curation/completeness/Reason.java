package org.medlake.curation.completeness;

import java.util.Objects;

/**
 * One finding of a completeness check.
 *
 * @param code stable machine-readable code (see {@link Code})
 * @param message what was found, where, and what it means, for people
 * @param impact the verdict this finding alone implies (INCOMPLETE or INCONSISTENT)
 */
public record Reason(Code code, String message, CompletenessStatus impact) {
    /** Finding codes. */
    public enum Code {
        DUPLICATE_INSTANCE, INSTANCE_NUMBER_GAP, MISSING_SLICE, UNEVEN_SPACING, MIXED_ORIENTATION, MIXED_MATRIX,
        COUNT_MISMATCH, MISSING_GEOMETRY
    }

    public Reason {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(impact, "impact");
    }
}
