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
 * for shutdown gets 503): {@code {"detail": ...}} like every other error of the API, not an HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request, HttpServletResponse response, int code,
                                              String message) throws IOException {
        String detail = code == HttpStatus.SERVICE_UNAVAILABLE_503 ? "Service is shutting down"
                : message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        byte[] body = JSON.writeValueAsBytes(Map.of("detail", detail));
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        baseRequest.setHandled(true);
    }
}
