package dev.modelcompose.http;

import static dev.modelcompose.http.HttpCalls.image;
import static dev.modelcompose.http.HttpCalls.json;
import static dev.modelcompose.http.HttpCalls.multipart;
import static dev.modelcompose.http.HttpCalls.png;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.compose.ComposeLoader;
import dev.modelcompose.compose.ControllerConfig;
import dev.modelcompose.runtime.ComposeRuntime;
import dev.modelcompose.testing.TestAssets;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API on 127.0.0.1 with a free port, the real runner and the small realesr-animevideov3-x4 model. */
class ComposeServerTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private ComposeRuntime runtime;
    private ComposeServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (runtime != null) runtime.close();
    }

    private String start(ComposeServer.Settings settings) {
        return start(settings, -1);
    }

    private String start(ComposeServer.Settings settings, int webuiPort) {
        String param = TestAssets.models().resolve("realesr-animevideov3-x4.param").toString();
        String yaml = """
                controller:
                  type: http-server
                  port: 8080
                  base_path: /api
                  shutdown_timeout: 60s
                workflow:
                  title: Upscale Image
                  job: {input: "${input}", output: "${output as image}"}
                component:
                  type: model
                  task: image-upscale
                  family: real-esrgan
                  model: MODEL
                  scale: 4
                  max_concurrent_count: 1
                  action:
                    image: ${input.image as image}
                    params: {tile_size: 32, tile_pad_size: 8}
                """.replace("MODEL", param);
        runtime = ComposeRuntime.create(ComposeLoader.loadString(yaml, "model-compose.yml", dir, Map.of()), LoopbackServer.offlineOptions());
        ControllerConfig.AdapterConfig a = ComposeServer.httpAdapter(runtime.config().controller());
        server = new ComposeServer(runtime, a, settings).start(0, webuiPort);
        return "http://127.0.0.1:" + server.port() + "/api";
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> get(String url) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    private HttpResponse<byte[]> postJson(String url, Object body) throws Exception {
        return send(HttpCalls.postJson(url, body));
    }

    @Test
    void theReadmeCurlCallReturnsAFourTimesLargerImage() throws Exception {
        String api = start(ComposeServer.Settings.defaults());
        HttpResponse<byte[]> r = send(multipart(api + "/workflows/runs", Map.of("image", png(12, 8))));
        assertEquals(200, r.statusCode(), new String(r.body()));
        Map<String, Object> body = json(r);
        assertEquals("completed", body.get("status"));
        assertEquals(26, ((String) body.get("task_id")).length());
        BufferedImage out = image(Base64.getDecoder().decode((String) body.get("output")));
        assertEquals(48, out.getWidth());
        assertEquals(32, out.getHeight());

        // input[image] + output_only: raw PNG
        r = send(multipart(api + "/workflows/runs", Map.of("input[image]", png(10, 6), "output_only", "true")));
        assertEquals(200, r.statusCode());
        assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals(40, image(r.body()).getWidth());
        // input.image and Accept: image/png
        r = send(multipart(api + "/workflows/runs", Map.of("input.image", png(5, 5))).header("Accept", "image/png"));
        assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals(20, image(r.body()).getHeight());
    }

    @Test
    void jsonWithADataUriAndListingAndSchema() throws Exception {
        String api = start(ComposeServer.Settings.defaults());
        String uri = "data:image/png;base64," + Base64.getEncoder().encodeToString(png(6, 4));
        HttpResponse<byte[]> r = postJson(api + "/workflows/runs", Map.of("input", Map.of("image", uri)));
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertEquals(24, image(Base64.getDecoder().decode((String) json(r).get("output"))).getWidth());

        r = get(api + "/workflows");
        assertEquals("[{\"workflow_id\":\"__workflow__\",\"title\":\"Upscale Image\"}]", new String(r.body()));
        r = get(api + "/workflows/__workflow__/schema");
        assertEquals(200, r.statusCode());
        assertEquals("{\"workflow_id\":\"__workflow__\",\"title\":\"Upscale Image\",\"input\":[{\"name\":\"image\",\"type\":\"image\",\"is_list\":false}],"
                + "\"output\":[{\"type\":\"image\",\"is_list\":false}]}", new String(r.body()));
        assertTrue(new String(get(api + "/workflows?include_schema=true").body()).contains("\"input\":[{\"name\":\"image\""));
        // a local path is not read over HTTP
        r = postJson(api + "/workflows/runs", Map.of("input", Map.of("image", "/etc/hostname")));
        assertEquals("failed", json(r).get("status"));
    }

    @Test
    void asyncSubmitThenPollTheTask() throws Exception {
        String api = start(ComposeServer.Settings.defaults());
        HttpResponse<byte[]> r = send(multipart(api + "/workflows/runs", Map.of("input[image]", png(16, 16), "wait_for_completion", "false")));
        Map<String, Object> sub = json(r);
        assertEquals("pending", sub.get("status"));
        assertEquals("__workflow__", sub.get("workflow_id"));
        String id = (String) sub.get("task_id");
        Map<String, Object> state;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        do {
            Thread.sleep(50);
            state = json(get(api + "/tasks/" + id));
        } while (!"completed".equals(state.get("status")) && System.nanoTime() < deadline);
        assertEquals("completed", state.get("status"), state.toString());
        assertEquals(64, image(Base64.getDecoder().decode((String) state.get("output"))).getWidth());
        r = get(api + "/tasks/" + id + "?output_only=true");
        assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals(64, image(r.body()).getHeight());
        // already finished: 409
        assertEquals(409, send(HttpRequest.newBuilder(URI.create(api + "/tasks/" + id + "/cancel")).POST(HttpRequest.BodyPublishers.noBody())).statusCode());
    }

    @Test
    void errors() throws Exception {
        String api = start(ComposeServer.Settings.defaults().withMaxRequestBytes(50_000));
        HttpResponse<byte[]> r = postJson(api + "/workflows/runs", Map.of("workflow_id", "nope", "input", Map.of()));
        assertEquals(404, r.statusCode());
        assertEquals("Workflow 'nope' not found.", json(r).get("detail"));
        assertEquals(404, get(api + "/workflows/nope/schema").statusCode());
        r = get(api + "/tasks/01ARZ3NDEKTSV4RRFFQ69G5FAV");
        assertEquals(404, r.statusCode());
        assertEquals("Task not found.", json(r).get("detail"));
        assertEquals(404, send(HttpRequest.newBuilder(URI.create(api + "/tasks/x/cancel")).POST(HttpRequest.BodyPublishers.noBody())).statusCode());
        r = postJson(api + "/workflows/runs", Map.of("input", Map.of()));
        assertEquals(400, r.statusCode());
        assertTrue(((String) json(r).get("detail")).contains("'image'"), new String(r.body()));
        r = send(HttpRequest.newBuilder(URI.create(api + "/workflows/runs")).header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("x")));
        assertEquals("Unsupported Content-Type: text/plain", json(r).get("detail"));
        r = send(HttpRequest.newBuilder(URI.create(api + "/workflows/runs")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("[1]")));
        assertEquals(400, r.statusCode());
        r = send(multipart(api + "/workflows/runs", Map.of("image", new byte[100_000])));
        assertEquals(413, r.statusCode());
        r = get(api + "/workflows?include_schema=maybe");
        assertEquals(422, r.statusCode());
        assertTrue(new String(r.body()).startsWith("{\"detail\":[{"), new String(r.body()));
        r = get(api + "/nothing");
        assertEquals(404, r.statusCode());
        assertEquals("Not Found", json(r).get("detail"));
        // bytes that are no image, whatever the part's Content-Type: 415 naming the field (HostileInputTest has more)
        r = send(multipart(api + "/workflows/runs", Map.of("image", "not an image".getBytes(), "output_only", "true")));
        assertEquals(415, r.statusCode());
        assertTrue(((String) json(r).get("detail")).startsWith("input.image: "), new String(r.body()));
        // CORS
        r = send(HttpRequest.newBuilder(URI.create(api + "/health")).header("Origin", "http://example.com").GET());
        assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElse(""), "origins: * answers * (CorsTest has more)");
        r = send(HttpRequest.newBuilder(URI.create(api + "/workflows/runs")).header("Origin", "http://example.com")
                .header("Access-Control-Request-Method", "POST").method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"));
    }

    @Test
    void cancelA429WithATinyQueueAndGracefulShutdown() throws Exception {
        String api = start(ComposeServer.Settings.defaults().withMaxQueuedRuns(1));
        assertEquals("{\"status\":\"ok\"}", new String(get(api + "/health").body()));
        // a big image keeps the one slot busy
        byte[] big = png(128, 128);
        Map<String, Object> first = json(send(multipart(api + "/workflows/runs", Map.of("image", big, "wait_for_completion", "false"))));
        HttpResponse<byte[]> r = send(multipart(api + "/workflows/runs", Map.of("image", png(4, 4))));
        assertEquals(429, r.statusCode(), new String(r.body()));
        assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
        r = send(HttpRequest.newBuilder(URI.create(api + "/tasks/" + first.get("task_id") + "/cancel")).POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertEquals("cancelled", json(r).get("status"));
        assertEquals(409, get(api + "/tasks/" + first.get("task_id") + "?output_only=true").statusCode());

        // shutdown: in-flight run finishes, /health and new runs are 503 meanwhile
        // (bigger, so that it is still running when the checks below ask)
        Map<String, Object> second = json(send(multipart(api + "/workflows/runs", Map.of("image", png(256, 256), "wait_for_completion", "false"))));
        CompletableFuture<Void> down = CompletableFuture.runAsync(server::shutdown);
        Thread.sleep(300);
        r = get(api + "/health");
        assertEquals(503, r.statusCode());
        assertEquals("shutting_down", json(r).get("status"));
        r = send(multipart(api + "/workflows/runs", Map.of("image", png(4, 4))));
        assertEquals(503, r.statusCode());
        assertEquals("Service is shutting down", json(r).get("detail"));
        // poll until it is done (the server closes right after)
        String status = "processing";
        while (!down.isDone()) {
            try {
                status = (String) json(get(api + "/tasks/" + second.get("task_id"))).get("status");
            } catch (java.io.IOException closed) {
                break;
            }
            Thread.sleep(50);
        }
        down.get();
        assertEquals("completed", runtime.task((String) second.get("task_id")).orElseThrow().status().wireName(), status);
    }

    @Test
    void theWebPageIsServedWithTheApiOnItsPort() throws Exception {
        start(ComposeServer.Settings.defaults(), 0);
        String page = "http://127.0.0.1:" + server.webuiPort();
        HttpResponse<byte[]> r = get(page + "/");
        assertEquals(200, r.statusCode());
        String html = new String(r.body(), StandardCharsets.UTF_8);
        assertTrue(html.contains("Run Workflow") && html.contains("app.js"), html);
        assertEquals(200, get(page + "/app.js").statusCode());
        assertEquals(200, get(page + "/style.css").statusCode());
        assertEquals("{\"base_path\":\"/api\"}", new String(get(page + "/config.json").body()));
        r = send(multipart(page + "/api/workflows/runs", Map.of("input[image]", png(3, 3), "output_only", "true")));
        assertEquals(12, image(r.body()).getWidth());
    }
}
