package dev.modelcompose.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Errors Jetty answers itself, before a request reaches the routes (a request that arrives while the server drains
 * for shutdown gets 503): {@code {"detail": ...}} like every other error of the API, not an HTML page; the 503 also
 * carries {@code "status": "shutting_down"} as {@code /health} answers while the server drains.
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
}
