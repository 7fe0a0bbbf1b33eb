package dev.modelcompose.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Errors Jetty answers itself, before a request reaches the routes: a request that arrives while the server drains for
 * shutdown (503), and requests its parser refuses (431 headers too large, 414 URI too long, 400 bad syntax, 408...).
 * They get {@code {"detail": ...}} like every other error of the API, not an HTML page; the 503 also carries
 * {@code "status": "shutting_down"} as {@code /health} answers while the server drains.
 */
final class JsonErrorHandler extends ErrorHandler {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request, HttpServletResponse response, int code,
                                              String message) throws IOException {
        // a draining server answers every path itself: /health's shape and the runs' shape at once
        Map<String, String> answer = code == HttpStatus.SERVICE_UNAVAILABLE_503
                ? Map.of("status", "shutting_down", "detail", "Service is shutting down")
                : Map.of("detail", message == null || message.isBlank() ? HttpStatus.getMessage(code) : message);
        byte[] body = JSON.writeValueAsBytes(answer);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        baseRequest.setHandled(true);
    }

    /** The parser's refusals (Jetty writes these without a request object). */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        String detail = reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : HttpStatus.getMessage(status) + ": " + reason;
        try {
            return ByteBuffer.wrap(JSON.writeValueAsBytes(Map.of("detail", detail)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
