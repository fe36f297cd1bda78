package org.medlake.cohort.query;

import org.medlake.cohort.CohortException;

/**
 * A criteria document or search request is invalid (unknown field or operator, wrong value type, bad page size
 * or cursor). Always {@link ErrorCode#USER_ERROR}; the message names the offending part and what is allowed.
 */
public class QueryException extends CohortException {
    public QueryException(String message) {
        super(ErrorCode.USER_ERROR, message);
    }
}
