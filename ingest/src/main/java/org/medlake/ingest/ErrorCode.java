package org.medlake.ingest;

/** Error codes of the ingest module, each with the category that says whose problem it is. */
public enum ErrorCode {
    /** Command-line or request arguments are wrong. */
    INGEST_BAD_ARGUMENT(Category.USER_ERROR),
    /** A source path does not exist or cannot be listed. */
    INGEST_SOURCE_NOT_FOUND(Category.USER_ERROR),
    /** The lake folder is missing, not writable, or its tables are not Delta tables. */
    INGEST_LAKE_UNUSABLE(Category.USER_ERROR),
    /** A Spark SQL statement failed to parse, analyse or run. */
    SQL_ERROR(Category.USER_ERROR),
    /** File system or Spark failure outside medlake's control. */
    INGEST_EXTERNAL(Category.EXTERNAL),
    /** A bug in medlake. */
    INGEST_INTERNAL(Category.INTERNAL);

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
