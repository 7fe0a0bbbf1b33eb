package dev.modelcompose.http;

import static dev.modelcompose.http.HttpCalls.png;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.runtime.RuntimeOptions;
import dev.modelcompose.testing.ComposeYaml;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every malformed request body is a 400 with {@code {"detail": ...}} saying what is wrong, and the errors Jetty answers
 * itself (431, 414, 413 past the limit) are JSON too; a well-formed request still runs after each of them. Sent over
 * a raw socket, since no well-behaved client sends these.
 */
class MalformedRequestsTest {
    private static final Duration READ = Duration.ofSeconds(30);
    private static final String RUNS = "/api/workflows/runs";

    @TempDir
    Path dir;

    private LoopbackServer server;
    private int port;

    @BeforeEach
    void start() {
        BlockingEngine engine = new BlockingEngine();
        engine.release();  // upscales at once: the model does not matter here
        RuntimeOptions options = LoopbackServer.offlineOptions().withEngines((files, opts) -> engine);
        String yaml = "controller: {type: http-server, base_path: /api}\n"
                + ComposeYaml.upscaleWorkflow(ComposeYaml.testModel("realesr-animevideov3-x2"), 2, "");
        server = LoopbackServer.start(yaml, dir, options, ComposeServer.Settings.defaults().withMaxRequestBytes(1 << 20));
        port = server.server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RawHttp.Response send(byte[] request) throws Exception {
        return RawHttp.exchange(port, request, READ);
    }

    /** A 400 (or {@code status}) whose JSON detail contains {@code words}; then a good request still works. */
    private void assertRefused(int status, String words, byte[] request) throws Exception {
        RawHttp.Response r = send(request);
        assertEquals(status, r.status(), r.text());
        assertTrue(r.header("Content-Type").startsWith("application/json"), r.header("Content-Type") + ": " + r.text());
        Object detail = HttpCalls.JSON.readValue(r.body(), Map.class).get("detail");
        assertTrue(detail instanceof String d && d.contains(words), "expected '" + words + "' in " + r.text());
        assertGoodRequestRuns();
    }

    private void assertGoodRequestRuns() throws Exception {
        RawHttp.Response r = send(RawHttp.post(RUNS, "multipart/form-data; boundary=B", multipart("B", "image", "x.png", png(3, 2), true)));
        assertEquals(200, r.status(), r.text());
        assertEquals("completed", HttpCalls.JSON.readValue(r.body(), Map.class).get("status"));
    }

    /** One part (a file when {@code filename} is set), then the closing boundary if {@code close}. */
    private static byte[] multipart(String boundary, String name, String filename, byte[] content, boolean close) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\""
                + (filename == null ? "" : "; filename=\"" + filename + "\"\r\nContent-Type: image/png") + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(content);
        out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (close) out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void multipartWithoutAUsableBoundary() throws Exception {
        byte[] body = multipart("B", "image", "x.png", png(3, 2), true);
        assertRefused(400, "without a boundary", RawHttp.post(RUNS, "multipart/form-data", body));
        assertRefused(400, "boundary is empty", RawHttp.post(RUNS, "multipart/form-data; boundary=", body));
        assertRefused(400, "boundary is empty", RawHttp.post(RUNS, "multipart/form-data; boundary=\"\"", body));
        assertRefused(400, "has no multipart boundary", RawHttp.post(RUNS, "multipart/form-data; boundary=Other", body));
        assertRefused(400, "has no multipart boundary", RawHttp.post(RUNS, "multipart/form-data; boundary=B", new byte[0]));
    }

    @Test
    void multipartThatNeverCloses() throws Exception {
        assertRefused(400, "ends before its closing boundary", RawHttp.post(RUNS, "multipart/form-data; boundary=B",
                multipart("B", "image", "x.png", png(3, 2), false)));
        assertRefused(400, "ends before its closing boundary", RawHttp.post(RUNS, "multipart/form-data; boundary=B",
                ascii("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n")));
    }

    @Test
    void partsWithoutContentDispositionOrName() throws Exception {
        assertRefused(400, "no Content-Disposition", RawHttp.post(RUNS, "multipart/form-data; boundary=B",
                ascii("--B\r\nContent-Type: text/plain\r\n\r\nhello\r\n--B--\r\n")));
        assertRefused(400, "no name", RawHttp.post(RUNS, "multipart/form-data; boundary=B",
                ascii("--B\r\nContent-Disposition: form-data; filename=\"x.png\"\r\n\r\nhello\r\n--B--\r\n")));
        assertRefused(400, "not form-data", RawHttp.post(RUNS, "multipart/form-data; boundary=B",
                ascii("--B\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nhello\r\n--B--\r\n")));
    }

    @Test
    void fieldNamesWithEmptyParts() throws Exception {
        for (String name : new String[] {".", "..", "input.", ".image", "a[b][]", "a[][b]"}) {
            assertRefused(400, "has an empty part", RawHttp.post(RUNS, "multipart/form-data; boundary=B", multipart("B", name, null, ascii("v"), true)));
            assertRefused(400, "has an empty part", RawHttp.post(RUNS, "application/x-www-form-urlencoded", ascii(name.replace("[", "%5B")
                    .replace("]", "%5D") + "=v")));
        }
    }

    @Test
    void urlencodedWithBrokenPercentEscapes() throws Exception {
        for (String body : new String[] {"image=%zz", "a%zz=1", "image=%", "image=%4"})
            assertRefused(400, "malformed percent-encoding", RawHttp.post(RUNS, "application/x-www-form-urlencoded", ascii(body)));
    }

    @Test
    void jsonThatIsBrokenOrHasAStringOverJacksonsLimit() throws Exception {
        assertRefused(400, "Invalid request body", RawHttp.post(RUNS, "application/json", ascii("{\"input\": ")));
        assertRefused(400, "must be a JSON object", RawHttp.post(RUNS, "application/json", ascii("[1, 2]")));
        server.close();
        server = null;
        BlockingEngine engine = new BlockingEngine();
        engine.release();
        String yaml = "controller: {type: http-server, base_path: /api}\n"
                + ComposeYaml.upscaleWorkflow(ComposeYaml.testModel("realesr-animevideov3-x2"), 2, "");
        server = LoopbackServer.start(yaml, dir, LoopbackServer.offlineOptions().withEngines((files, opts) -> engine),
                ComposeServer.Settings.defaults().withMaxRequestBytes(64L << 20));
        port = server.server.port();
        // Jackson refuses strings over 20,000,000 characters
        byte[] big = ("{\"input\": {\"image\": \"" + "A".repeat(21_000_000) + "\"}}").getBytes(StandardCharsets.US_ASCII);
        assertRefused(400, "send large images as multipart file uploads", RawHttp.post(RUNS, "application/json", big));
    }

    @Test
    void aBodyOverTheLimitIs413WhetherOrNotItSaysItsLength() throws Exception {
        byte[] body = multipart("B", "image", "x.png", new byte[(1 << 20) + 10], true);
        assertRefused(413, "Request body too large", RawHttp.post(RUNS, "multipart/form-data; boundary=B", body));
        // chunked: the limit is found while reading
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        chunked.writeBytes(ascii("POST " + RUNS + " HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"));
        for (int at = 0; at < body.length; at += 65536) {
            int n = Math.min(65536, body.length - at);
            chunked.writeBytes(ascii(Integer.toHexString(n) + "\r\n"));
            chunked.write(body, at, n);
            chunked.writeBytes(ascii("\r\n"));
        }
        chunked.writeBytes(ascii("0\r\n\r\n"));
        assertRefused(413, "Request body too large", chunked.toByteArray());
    }

    @Test
    void jettysOwnRefusalsAreJson() throws Exception {
        assertRefused(431, "Request Header Fields Too Large", ascii("GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000)
                + "\r\nConnection: close\r\n\r\n"));
        assertRefused(414, "URI Too Long", ascii("GET /api/health?" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        assertRefused(400, "Bad Request", ascii("GET /api/health HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\nConnection: close\r\n\r\n"));
    }

    @Test
    void unknownRoutesAndMethodsAreJson() throws Exception {
        assertRefused(404, "Not Found", ascii("GET /api/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        assertRefused(405, "Method Not Allowed", ascii("DELETE /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    }
}
