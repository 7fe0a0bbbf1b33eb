package dev.modelcompose.http;

import static dev.modelcompose.http.HttpCalls.image;
import static dev.modelcompose.http.HttpCalls.json;
import static dev.modelcompose.http.HttpCalls.png;
import static dev.modelcompose.http.HttpCalls.postJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.modelcompose.compose.ComposeException;
import dev.modelcompose.compose.ComposeLoader;
import dev.modelcompose.compose.ComposeProject;
import dev.modelcompose.expr.InputAccess;
import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.runtime.ComposeRuntime;
import dev.modelcompose.runtime.Task;
import dev.modelcompose.runtime.TaskStatus;
import dev.modelcompose.testing.ComposeYaml;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 "hostile input" against a real server on loopback: {@code ;path} confined to {@code input_paths},
 * {@code ;url} kept off private addresses unless {@code allow_private_urls}, uploads typed by their bytes.
 */
class HostileInputTest {
    private static final String YAML = """
            controller:
              adapter:
                type: http-server
                port: 8080
                ADAPTER
            workflows:
              - {id: by-path, default: true, job: {component: up, input: {image: "${input.image as image;path}"}, output: "${output as image}"}}
              - {id: by-url, job: {component: up, input: {image: "${input.image as image;url}"}, output: "${output as image}"}}
              - {id: upload, job: {component: up, input: {image: "${input.image as image}"}, output: "${output as image}"}}
            components:
              - id: up
                type: model
                task: image-upscale
                family: real-esrgan
                model: MODEL
                scale: 4
                action: {image: "${input.image as image}", params: {tile_size: 32, tile_pad_size: 8}}
            """;

    @TempDir
    Path dir;

    private LoopbackServer server;
    private HttpServer files;

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (files != null) files.stop(0);
    }

    private static String yaml(String adapter) {
        return YAML.replace("ADAPTER", adapter).replace("MODEL", ComposeYaml.testModel("realesr-animevideov3-x4"));
    }

    private LoopbackServer start(String adapter) {
        server = LoopbackServer.start(yaml(adapter), dir, LoopbackServer.offlineOptions(), ComposeServer.Settings.defaults());
        return server;
    }

    private HttpResponse<byte[]> run(String workflow, String image) throws Exception {
        return server.send(postJson(server.api + "/workflows/runs", Map.of("workflow_id", workflow, "input", Map.of("image", image),
                "output_only", true)));
    }

    private static String detail(HttpResponse<byte[]> r) {
        return String.valueOf(json(r).get("detail"));
    }

    private static void assertUpscaled(HttpResponse<byte[]> r, int width) {
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        BufferedImage out = image(r.body());
        assertEquals(width * 4, out.getWidth());
    }

    @Test
    void theNewAdapterKeysAreKnown() {
        ComposeProject p = ComposeLoader.loadString(yaml("input_paths: [inputs, /data/images]\n    allow_private_urls: true"),
                "model-compose.yml", dir, Map.of());
        assertTrue(p.diagnostics().isEmpty(), p.diagnostics().toString());
        var adapter = ComposeServer.httpAdapter(p.config().controller());
        assertEquals(List.of("inputs", "/data/images"), adapter.inputPaths());
        assertTrue(adapter.allowPrivateUrls());

        String legacy = "controller: {type: http-server, input_paths: inputs, allow_private_urls: false}\n" + YAML.substring(YAML.indexOf("workflows:"));
        p = ComposeLoader.loadString(legacy.replace("MODEL", "x.param"), "model-compose.yml", dir, Map.of());
        assertEquals(1, p.diagnostics().size(), p.diagnostics().toString());  // the note on the legacy flat form only
        adapter = ComposeServer.httpAdapter(p.config().controller());
        assertEquals(List.of("inputs"), adapter.inputPaths());
        assertFalse(adapter.allowPrivateUrls());

        ComposeException bad = assertThrows(ComposeException.class, () -> ComposeLoader.loadString(
                yaml("input_paths: [inputs, {a: 1}]"), "model-compose.yml", dir, Map.of()));
        assertTrue(bad.getMessage().contains("input_paths"), bad.getMessage());
    }

    @Test
    void localPathsAreRefusedByDefault() throws Exception {
        Files.write(dir.resolve("in.png"), png(6, 4));
        start("");
        for (String path : new String[] {"in.png", dir.resolve("in.png").toString()}) {
            HttpResponse<byte[]> r = run("by-path", path);
            assertEquals(400, r.statusCode());
            assertTrue(detail(r).startsWith("input.image: `image;path`: reading local files is off"), detail(r));
            assertTrue(detail(r).contains("input_paths"), detail(r));
        }
    }

    @Test
    void localPathsStayInsideInputPaths() throws Exception {
        Path inputs = Files.createDirectories(dir.resolve("inputs"));
        Files.write(inputs.resolve("in.png"), png(6, 4));
        Files.createDirectories(inputs.resolve("sub"));
        Files.write(inputs.resolve("sub/deep.png"), png(3, 3));
        Path secret = dir.resolve("secret.png");
        Files.write(secret, png(5, 5));
        Files.createSymbolicLink(inputs.resolve("link.png"), secret);
        Files.createSymbolicLink(inputs.resolve("linked-dir"), dir);
        start("input_paths: [./inputs]");

        assertUpscaled(run("by-path", "in.png"), 6);
        assertUpscaled(run("by-path", "sub/deep.png"), 3);
        assertUpscaled(run("by-path", inputs.resolve("in.png").toString()), 6);
        assertUpscaled(run("by-path", "sub/../in.png"), 6);

        String realDir = dir.toRealPath().toString();
        for (String escape : new String[] {"../secret.png", "sub/../../secret.png", secret.toString(), "link.png", "linked-dir/secret.png",
                "sub", "missing.png", "/etc/passwd", "in.png\0.txt"}) {
            HttpResponse<byte[]> r = run("by-path", escape);
            assertEquals(400, r.statusCode(), escape);
            String detail = detail(r);
            assertTrue(detail.startsWith("input.image: `image;path`: "), detail);
            if (!escape.startsWith("/")) assertFalse(detail.contains(realDir), "the server's layout leaks: " + detail);
        }
    }

    @Test
    void theServersAccessGovernsItsRunsWhateverTheRuntimesDefault() throws Exception {
        Path outside = dir.resolve("in.png");
        Files.write(outside, png(6, 4));
        server = LoopbackServer.start(yaml(""), dir, LoopbackServer.offlineOptions().withInputAccess(InputAccess.local()),
                ComposeServer.Settings.defaults());
        assertEquals(400, run("by-path", outside.toString()).statusCode());
        // past the request checks, the task itself applies the access it was given
        Task task = server.runtime.submit("by-path", Map.of("image", outside.toString()), new ComposeRuntime.RunOptions(null, null,
                InputAccess.network()));
        assertThrows(Exception.class, task::await);
        assertEquals(TaskStatus.FAILED, task.status());
        assertTrue(task.error().contains("reading local files is off"), task.error());
        // a server's runtime keeps its outputs encoded (PNG)
        Object out = server.runtime.run("by-path", Map.of("image", outside.toString()));
        assertEquals(24, image(((dev.modelcompose.expr.ByteSource) out).bytes()).getWidth(),
                "the runtime's own default (the command line's) still reads it");
    }

    /** A loopback file server: GET /img.png is a PNG, /to-img redirects to it. */
    private String fileServer() throws Exception {
        byte[] body = png(7, 5);
        files = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        files.createContext("/img.png", ex -> {
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        files.createContext("/to-img", ex -> {
            ex.getResponseHeaders().add("Location", "/img.png");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        files.start();
        return "http://127.0.0.1:" + files.getAddress().getPort();
    }

    @Test
    void urlsToLoopbackAreRefusedByDefault() throws Exception {
        String files = fileServer();
        start("");
        int port = this.files.getAddress().getPort();
        for (String url : new String[] {files + "/img.png", files + "/to-img", "http://localhost:" + port + "/img.png",
                "http://[::1]:" + port + "/img.png", "http://[::ffff:127.0.0.1]:" + port + "/img.png", "http://0.0.0.0:" + port + "/img.png"}) {
            HttpResponse<byte[]> r = run("by-url", url);
            assertEquals(400, r.statusCode(), url);
            assertTrue(detail(r).contains("loopback, link-local or private address"), detail(r));
            assertTrue(detail(r).contains("allow_private_urls"), detail(r));
        }
        HttpResponse<byte[]> r = run("by-url", "file:///etc/passwd");
        assertEquals(400, r.statusCode());
        assertTrue(detail(r).contains("only http and https"), detail(r));
    }

    @Test
    void urlsToLoopbackWorkWhenAllowed() throws Exception {
        String files = fileServer();
        start("allow_private_urls: true");
        assertUpscaled(run("by-url", files + "/img.png"), 7);
        assertUpscaled(run("by-url", files + "/to-img"), 7);
    }

    /** One multipart file part with the given file name and Content-Type. */
    private HttpResponse<byte[]> upload(String filename, String contentType, byte[] bytes) throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("workflow_id", "upload");
        fields.put("output_only", "true");
        fields.put("image", new HttpCalls.Upload(filename, contentType, bytes));
        return server.post("/workflows/runs", fields);
    }

    @Test
    void uploadsAreTypedByTheirBytesNotTheirContentType() throws Exception {
        start("");
        byte[] png = png(6, 4);
        assertUpscaled(upload("photo.jpg", "image/jpeg", png), 6);
        assertUpscaled(upload("notes.txt", "text/plain", png), 6);
        assertUpscaled(upload("anim.gif", "image/gif", png), 6);
        BufferedImage rgb = new BufferedImage(5, 3, BufferedImage.TYPE_INT_RGB);
        assertUpscaled(upload("x.png", "image/png", ImageFiles.encode(rgb, ImageFormat.JPG)), 5);

        for (byte[] junk : new byte[][] {"<html><script>alert(1)</script></html>".getBytes(StandardCharsets.UTF_8), new byte[0],
                "%PDF-1.7 not an image".getBytes(StandardCharsets.UTF_8)}) {
            HttpResponse<byte[]> r = upload("x.png", "image/png", junk);
            assertEquals(415, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
            assertTrue(detail(r).startsWith("input.image: the upload 'x.png' is not an image"), detail(r));
        }
        String junk = Base64.getEncoder().encodeToString("not an image".getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> r = run("upload", "data:image/png;base64," + junk);
        assertEquals(415, r.statusCode());
        assertTrue(detail(r).startsWith("input.image: the data-uri value is not an image"), detail(r));
        assertUpscaled(run("upload", "data:text/plain;base64," + Base64.getEncoder().encodeToString(png)), 6);
    }

    @Test
    void uploadsStreamedToDiskAreTypedByTheirBytesToo() throws Exception {
        server = LoopbackServer.start(yaml(""), dir, LoopbackServer.offlineOptions(), new ComposeServer.Settings(16, 1 << 20, 64, null));
        byte[] png = png(20, 12);
        assertTrue(png.length > 64);
        assertUpscaled(upload("photo.jpg", "image/jpeg", png), 20);
        HttpResponse<byte[]> r = upload("x.png", "image/png", "<svg xmlns='http://www.w3.org/2000/svg'>".repeat(10).getBytes(StandardCharsets.UTF_8));
        assertEquals(415, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
    }
}
