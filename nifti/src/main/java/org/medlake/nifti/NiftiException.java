package org.medlake.nifti;

import java.util.Objects;

/**
 * Base unchecked exception of the NIfTI module. Messages state the problem, its cause and the fix; the
 * {@link ErrorCode} says whose problem it is. A series that cannot be converted is reported with one of these.
 */
public class NiftiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Error codes, each with the category that says whose problem it is. */
    public enum ErrorCode {
        /** A command-line argument or API argument is wrong. */
        NIFTI_BAD_ARGUMENT(Category.USER_ERROR),
        /** An input file or folder does not exist. */
        NIFTI_INPUT_NOT_FOUND(Category.USER_ERROR),
        /** A file is not readable DICOM (or not NIfTI, for the reader). */
        NIFTI_BAD_INPUT(Category.USER_ERROR),
        /** The series is not an image series this converter handles (SR, colour, derived layouts, ...). */
        NIFTI_UNSUPPORTED(Category.USER_ERROR),
        /** The series' instances do not form a regular volume set (missing slices, mixed geometry). */
        NIFTI_INCONSISTENT_SERIES(Category.USER_ERROR),
        /** The pixel data is compressed with a transfer syntax for which no decoder is on the class path. */
        NIFTI_NO_DECODER(Category.EXTERNAL),
        /** Reading or writing a file failed (disk, permissions). */
        NIFTI_IO(Category.EXTERNAL),
        /** A bug in medlake. */
        NIFTI_INTERNAL(Category.INTERNAL);

        /** Whose problem an error is. */
        public enum Category { USER_ERROR, EXTERNAL, INTERNAL }

        private final Category category;

        ErrorCode(Category category) {
            this.category = category;
        }

        public Category category() {
            return category;
        }

        /** Process exit code for the CLI: 2 for user errors, 1 otherwise. */
        public int exitCode() {
            return category == Category.USER_ERROR ? 2 : 1;
        }
    }

    private final ErrorCode code;

    public NiftiException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public NiftiException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }
}
