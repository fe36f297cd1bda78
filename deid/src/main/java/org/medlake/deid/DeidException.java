package org.medlake.deid;

import java.util.Objects;

/** Base unchecked exception of the de-identification module. Messages state the problem, its cause and the fix. */
public class DeidException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Error codes, each with the category that says whose problem it is. */
    public enum ErrorCode {
        /** A secret or argument is wrong. */
        DEID_BAD_ARGUMENT(Category.USER_ERROR),
        /** A profile file does not exist or cannot be read. */
        DEID_INPUT_NOT_FOUND(Category.USER_ERROR),
        /** A profile is malformed. */
        DEID_BAD_CONFIG(Category.USER_ERROR),
        /** A bug in medlake, or a JVM without a required algorithm. */
        DEID_INTERNAL(Category.INTERNAL);

        /** Whose problem an error is. */
        public enum Category { USER_ERROR, EXTERNAL, INTERNAL }

        private final Category category;

        ErrorCode(Category category) {
            this.category = category;
        }

        public Category category() {
            return category;
        }

        /** Process exit code for the CLIs: 2 for user errors, 1 otherwise. */
        public int exitCode() {
            return category == Category.USER_ERROR ? 2 : 1;
        }
    }

    private final ErrorCode code;

    public DeidException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public DeidException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }
}
