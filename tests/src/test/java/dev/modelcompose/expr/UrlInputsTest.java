package dev.modelcompose.expr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code ;url} fetching against a loopback server: redirects, size limits, the private-address check. */
class UrlInputsTest {
    private static final InputAccess LOOPBACK_OK = InputAccess.network().withPrivateUrls(true).withMaxUrlBytes(1000);
    private HttpServer server;
    private String base;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/small", ex -> {
            byte[] b = "hello".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/html");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.createContext("/big", ex -> {
            ex.sendResponseHeaders(200, 5000);
            ex.getResponseBody().write(new byte[5000]);
            ex.close();
        });
        server.createContext("/chunked-big", ex -> {
            ex.sendResponseHeaders(200, 0);  // chunked: no Content-Length to refuse up front
            for (int i = 0; i < 10; i++) ex.getResponseBody().write(new byte[500]);
            ex.close();
        });
        server.createContext("/loop", ex -> {
            ex.getResponseHeaders().add("Location", "/loop");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.createContext("/missing", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ExpressionException refused(String url, InputAccess access) {
        return assertThrows(ExpressionException.class, () -> UrlInputs.fetch(url, access, "file;url"));
    }

    @Test
    void fetchesWithinTheLimits() {
        ByteSource small = UrlInputs.fetch(base + "/small", LOOPBACK_OK, "file;url");
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), small.bytes());
        assertEquals("application/octet-stream", small.mediaType(), "typed by its bytes, not the server's text/html");
        assertTrue(refused(base + "/big", LOOPBACK_OK).getMessage().contains("larger than 1000 bytes"));
        assertTrue(refused(base + "/chunked-big", LOOPBACK_OK).getMessage().contains("larger than 1000 bytes"));
        assertTrue(refused(base + "/loop", LOOPBACK_OK).getMessage().contains("redirects more than 5 times"));
        assertTrue(refused(base + "/missing", LOOPBACK_OK).getMessage().contains("answered HTTP 404"));
    }

    @Test
    void privateAddressesAreRefusedBeforeAnyConnection() {
        ExpressionException e = refused(base + "/small", InputAccess.network());
        assertTrue(e.getMessage().startsWith("`file;url`: " + base + "/small leads to a loopback, link-local or private address"), e.getMessage());
        assertTrue(refused("http://169.254.169.254/latest/meta-data/", InputAccess.network()).getMessage().contains("private address"));
        assertTrue(refused("http://[fd00::1]/x", InputAccess.network()).getMessage().contains("private address"));
        assertTrue(refused("ftp://example.com/x", LOOPBACK_OK).getMessage().contains("only http and https"));
        assertTrue(refused("http:///x", LOOPBACK_OK).getMessage().contains("no host"));
    }

    @Test
    void theConversionUsesTheContextsAccess() {
        RenderContext strictCtx = RenderContext.of(new RenderContext.Options(false, null, InputAccess.network()))
                .with("input", java.util.Map.of("u", base + "/small"));
        assertThrows(ExpressionException.class, () -> Template.compile("${input.u as text;url}").render(strictCtx));
        RenderContext open = RenderContext.of(new RenderContext.Options(false, null, LOOPBACK_OK)).with("input", java.util.Map.of("u", base + "/small"));
        assertTrue("hello".equals(Template.compile("${input.u as text;url}").render(open)));
    }
}
