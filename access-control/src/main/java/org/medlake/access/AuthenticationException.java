package org.medlake.access;

/**
 * The caller could not be authenticated: the bearer token is missing, malformed, expired, signed with an unknown
 * key or a forbidden algorithm, issued by another realm or for another audience, or the realm's keys could not
 * be fetched. Always maps to HTTP 401. The {@link #code()} is {@link ErrorCode#USER_ERROR} for token problems
 * and {@link ErrorCode#EXTERNAL} when Keycloak could not be reached.
 */
public class AuthenticationException extends AccessException {
    public AuthenticationException(String message) {
        super(ErrorCode.USER_ERROR, message);
    }

    public AuthenticationException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
