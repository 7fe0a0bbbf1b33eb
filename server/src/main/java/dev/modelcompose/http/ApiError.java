package dev.modelcompose.http;

import java.util.Map;

/** An HTTP error answered as {@code {"detail": message}} (FastAPI's shape, contract 3.2). */
public final class ApiError extends RuntimeException {
    private final int status;
    private final Map<String, String> headers;
    private Object detail;

    public ApiError(int status, String detail) {
        this(status, detail, Map.of());
    }

    public ApiError(int status, String detail, Map<String, String> headers) {
        super(detail);
        this.status = status;
        this.headers = headers;
    }

    /** 413 for a request body over the server's limit: the body is not read further, so the connection closes. */
    public static ApiError tooLarge(long maxBytes) {
        return new ApiError(413, "Request body too large (at most " + maxBytes + " bytes)", Map.of("Connection", "close"));
    }

    /** A 422 with FastAPI's validation list: {@code {"detail": [{"loc": [where, name], "msg", "type"}]}}. */
    public static ApiError validation(String where, String name, String msg, String type) {
        ApiError e = new ApiError(422, msg);
        e.detail = java.util.List.of(Map.of("loc", java.util.List.of(where, name), "msg", msg, "type", type));
        return e;
    }

    /** The {@code detail} value: the message, or the validation list. */
    public Object detail() {
        return detail != null ? detail : getMessage();
    }

    public int status() {
        return status;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
