package org.medlake.dicom;

import java.util.Objects;

/** A file could not be accepted as a DICOM instance; {@link #reason()} says why (it maps to a quarantine reason). */
public class DicomReadException extends DicomException {
    private static final long serialVersionUID = 1L;

    /** Why a file was rejected. The names are the {@code quarantine.reason} values of the lake contract. */
    public enum Reason {
        NOT_DICOM(ErrorCode.DICOM_NOT_DICOM),
        TRUNCATED(ErrorCode.DICOM_TRUNCATED),
        MISSING_UID(ErrorCode.DICOM_MISSING_UID),
        UNREADABLE(ErrorCode.DICOM_UNREADABLE);

        private final ErrorCode code;

        Reason(ErrorCode code) {
            this.code = code;
        }

        public ErrorCode code() {
            return code;
        }
    }

    private final Reason reason;

    public DicomReadException(Reason reason, String message) {
        this(reason, message, null);
    }

    public DicomReadException(Reason reason, String message, Throwable cause) {
        super(Objects.requireNonNull(reason, "reason").code(), message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
