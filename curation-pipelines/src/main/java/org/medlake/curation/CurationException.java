package org.medlake.curation;

import java.util.Objects;

/** Base unchecked exception of the curation module. Messages state the problem, its cause and the fix. */
public class CurationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public CurationException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public CurationException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }

    public ErrorCode.Category category() {
        return code.category();
    }
}
