package org.medlake.server;

/**
 * Base unchecked exception of the server module, carrying the HTTP status it maps to and an {@link ErrorCode}
 * category. Messages state problem, cause and fix; they are sent to the client as the problem {@code detail}.
 */
public class ApiException extends RuntimeException {
    /** Category of a failure. */
    public enum ErrorCode { USER_ERROR, EXTERNAL, INTERNAL }

    private final ErrorCode code;
    private final int status;

    public ApiException(ErrorCode code, int status, String message) {
        this(code, status, message, null);
    }

    public ApiException(ErrorCode code, int status, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.status = status;
    }

    /** 400 with a user error. */
    public static ApiException badRequest(String message) {
        return new ApiException(ErrorCode.USER_ERROR, 400, message);
    }

    /** 404 with a user error. */
    public static ApiException notFound(String message) {
        return new ApiException(ErrorCode.USER_ERROR, 404, message);
    }

    public ErrorCode code() {
        return code;
    }

    /** HTTP status to answer with. */
    public int status() {
        return status;
    }
}
