package org.medlake.cohort;

/**
 * Base unchecked exception of the cohort-query module (criteria parsing, Delta reading, indexing, search).
 * The {@link ErrorCode} says who must act: the user ({@code USER_ERROR}), an external service such as
 * Elasticsearch or the file system ({@code EXTERNAL}), or the developers ({@code INTERNAL}).
 * Messages state the problem, its cause and how to fix it.
 */
public class CohortException extends RuntimeException {
    /** Category of a failure. */
    public enum ErrorCode { USER_ERROR, EXTERNAL, INTERNAL }

    private final ErrorCode code;

    public CohortException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public CohortException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The failure category. */
    public ErrorCode code() {
        return code;
    }
}
