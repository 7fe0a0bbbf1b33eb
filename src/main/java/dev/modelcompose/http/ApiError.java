package dev.modelcompose.http;

import java.util.Map;

/** An HTTP error answered as {@code {"detail": message}} (FastAPI's shape, contract 3.2). */
public final class ApiError extends RuntimeException {
    private final int status;
    private final Map<String, String> headers;

    public ApiError(int status, String detail) {
        this(status, detail, Map.of());
    }

    public ApiError(int status, String detail, Map<String, String> headers) {
        super(detail);
        this.status = status;
        this.headers = headers;
    }

    public int status() {
        return status;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
