package org.medlake.cohort.cohorts;

import org.medlake.cohort.CohortException;

/**
 * A cohort request conflicts with the stored state: the name is taken in the project ({@link Reason#NAME_TAKEN}), or
 * concurrent freezes of one cohort kept winning the race for the next version number ({@link Reason#CONCURRENT_FREEZE}).
 * Category {@code USER_ERROR}; the REST API answers 409 with the reason as problem {@code code}.
 */
public final class CohortConflictException extends CohortException {
    /** What conflicted. */
    public enum Reason { NAME_TAKEN, CONCURRENT_FREEZE }

    private final Reason reason;

    public CohortConflictException(Reason reason, String message, Throwable cause) {
        super(ErrorCode.USER_ERROR, message, cause);
        this.reason = reason;
    }

    /** What conflicted. */
    public Reason reason() {
        return reason;
    }
}
