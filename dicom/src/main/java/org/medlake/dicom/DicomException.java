package org.medlake.dicom;

import java.util.Objects;

/**
 * Base unchecked exception of the DICOM module. Messages state the problem, its cause and the fix.
 * Not to be confused with PixelMed's checked {@code com.pixelmed.dicom.DicomException}.
 */
public class DicomException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public DicomException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public DicomException(ErrorCode code, String message, Throwable cause) {
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
