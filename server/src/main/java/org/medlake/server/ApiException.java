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
    private final String problemCode;

    public ApiException(ErrorCode code, int status, String message) {
        this(code, status, message, (Throwable) null);
    }

    public ApiException(ErrorCode code, int status, String message, Throwable cause) {
        this(code, status, null, message, cause);
    }

    /**
     * An exception whose problem {@code code} is the specific {@code problemCode} (e.g. {@code NOT_RELEASED}) instead
     * of the category name, so that clients can react to it without parsing the detail.
     */
    public ApiException(ErrorCode code, int status, String problemCode, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.status = status;
        this.problemCode = problemCode;
    }

    /** 400 with a user error. */
    public static ApiException badRequest(String message) {
        return new ApiException(ErrorCode.USER_ERROR, 400, message);
    }

    /** 403 with a user error: authenticated, in the project, but not allowed to do this. */
    public static ApiException forbidden(String message) {
        return new ApiException(ErrorCode.USER_ERROR, 403, "FORBIDDEN", message, null);
    }

    /** 403 {@code NOT_RELEASED}: the series is visible to the caller but not released (see ReleasePolicy). */
    public static ApiException notReleased(String message) {
        return new ApiException(ErrorCode.USER_ERROR, 403, "NOT_RELEASED", message, null);
    }

    /** 409 with a specific problem code: the request conflicts with the state of the lake. */
    public static ApiException conflict(String problemCode, String message) {
        return new ApiException(ErrorCode.USER_ERROR, 409, problemCode, message, null);
    }

    /** 404 with a user error. */
    public static ApiException notFound(String message) {
        return new ApiException(ErrorCode.USER_ERROR, 404, message);
    }

    public ErrorCode code() {
        return code;
    }

    /** The problem's {@code code} member: the specific code if one was given, else the category name. */
    public String problemCode() {
        return problemCode != null ? problemCode : code.name();
    }

    /** HTTP status to answer with. */
    public int status() {
        return status;
    }
}
