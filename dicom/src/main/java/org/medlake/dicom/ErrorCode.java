package org.medlake.dicom;

/** Error codes of the DICOM module; each has a category that tells callers whose problem it is. */
public enum ErrorCode {
    /** The input is not DICOM at all (no {@code DICM} marker and not parseable as a raw data set). */
    DICOM_NOT_DICOM(Category.USER_ERROR),
    /** The file ends before the data it declares (header or pixel data cut short). */
    DICOM_TRUNCATED(Category.USER_ERROR),
    /** SOP Instance, Series Instance or Study Instance UID is absent or empty. */
    DICOM_MISSING_UID(Category.USER_ERROR),
    /** Any other parse failure. */
    DICOM_UNREADABLE(Category.USER_ERROR),
    /** Reading or writing a file failed for reasons outside the data (disk, permissions). */
    DICOM_IO(Category.EXTERNAL),
    /** A bug in medlake or in its use of PixelMed. */
    DICOM_INTERNAL(Category.INTERNAL);

    /** Whose problem an error is. */
    public enum Category {
        /** Caused by the input or the arguments; the user can fix it. */
        USER_ERROR,
        /** Caused by something outside medlake (file system, network, a service). */
        EXTERNAL,
        /** A defect in medlake. */
        INTERNAL
    }

    private final Category category;

    ErrorCode(Category category) {
        this.category = category;
    }

    public Category category() {
        return category;
    }
}
