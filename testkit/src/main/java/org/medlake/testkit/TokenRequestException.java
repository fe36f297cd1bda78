package org.medlake.testkit;

/** Keycloak refused a token request; carries the HTTP status and the OAuth error body. */
public final class TokenRequestException extends IllegalStateException {

    private final int status;
    private final String body;

    TokenRequestException(String message, int status, String body) {
        super(message + ": HTTP " + status + " " + body);
        this.status = status;
        this.body = body;
    }

    /** @return the HTTP status of the token endpoint (Keycloak uses 400 {@code invalid_grant} for bad passwords) */
    public int status() {
        return status;
    }

    /** @return the response body, usually {@code {"error":..,"error_description":..}} */
    public String body() {
        return body;
    }
}
