package org.medlake.access;

/**
 * Base unchecked exception of the access-control module. Every failure raised by this module is one of these,
 * carrying an {@link ErrorCode} category so that callers (the REST server) can map it without parsing messages.
 * Messages state the problem, its cause and how to fix it.
 */
public class AccessException extends RuntimeException {
    /** Category of a failure. */
    public enum ErrorCode {
        /** The caller sent something wrong (bad, expired or foreign token). */
        USER_ERROR,
        /** A service we depend on (Keycloak) failed or is unreachable. */
        EXTERNAL,
        /** A bug or an impossible state inside medlake. */
        INTERNAL
    }

    private final ErrorCode code;

    public AccessException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public AccessException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The failure category. */
    public ErrorCode code() {
        return code;
    }
}
