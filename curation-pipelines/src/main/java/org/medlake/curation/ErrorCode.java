package org.medlake.curation;

/** Error codes of the curation module, each with the category that says whose problem it is. */
public enum ErrorCode {
    /** Command-line arguments, a profile or a rules file are wrong. */
    CURATION_BAD_ARGUMENT(Category.USER_ERROR),
    /** An input path does not exist or cannot be read. */
    CURATION_INPUT_NOT_FOUND(Category.USER_ERROR),
    /** A versioned config (classification rules, QA thresholds, de-id profile) is malformed. */
    CURATION_BAD_CONFIG(Category.USER_ERROR),
    /** File system or Spark failure outside medlake's control. */
    CURATION_EXTERNAL(Category.EXTERNAL),
    /** A bug in medlake. */
    CURATION_INTERNAL(Category.INTERNAL);

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
