package org.medlake.sdk;

/**
 * Any failure of the SDK. {@link #kind()} says whose problem it is; {@link #status()} is the HTTP status when
 * the server answered (0 otherwise); the message carries the server's explanation.
 */
public class MedlakeException extends RuntimeException {

    /** Who has to act. */
    public enum Kind {
        /** The caller's request or configuration is wrong (HTTP 4xx): fix the call. */
        USER_ERROR,
        /** The server, the identity provider or the network failed: retry or contact the operator. */
        EXTERNAL,
        /** A bug in the SDK. */
        INTERNAL
    }

    private final Kind kind;
    private final int status;

    /** Creates an exception; {@code status} is 0 when no HTTP answer was received. */
    public MedlakeException(Kind kind, int status, String message) {
        this(kind, status, message, null);
    }

    /** Creates an exception with a cause. */
    public MedlakeException(Kind kind, int status, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
    }

    /** Who has to act. */
    public Kind kind() {
        return kind;
    }

    /** The HTTP status the server answered with, or 0. */
    public int status() {
        return status;
    }
}
