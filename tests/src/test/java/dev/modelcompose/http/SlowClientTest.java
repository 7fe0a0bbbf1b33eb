package dev.modelcompose.http;

import static dev.modelcompose.http.HttpCalls.png;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.runtime.RuntimeOptions;
import dev.modelcompose.testing.ComposeYaml;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that send slowly or stop: hundreds of them hold neither {@code /health} nor a normal request, and each is
 * answered 408 (too slow, too late) or 503 (every upload slot taken) in JSON, never left hanging or answered 500.
 * Counts and waits are bounded; the limits below are liveness bounds, not speed claims.
 */
class SlowClientTest {
    private static final int SLOW_CLIENTS = 300;
    private static final int UPLOAD_SLOTS = 16;
    /** How long a request may take to be answered at all while the slow clients are connected. */
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private LoopbackServer start(String limits) {
        BlockingEngine engine = new BlockingEngine();
        engine.release();
        RuntimeOptions options = LoopbackServer.offlineOptions().withEngines((files, opts) -> engine);
        String yaml = "controller:\n  adapter: {type: http-server, base_path: /api, " + limits + "}\n"
                + ComposeYaml.upscaleWorkflow(ComposeYaml.testModel("realesr-animevideov3-x2"), 2, "");
        return LoopbackServer.start(yaml, dir, options, ComposeServer.Settings.defaults());
    }

    /** Request headers of a multipart upload announcing {@code length} bytes, and the start of its first part. */
    private static byte[] slowStart(int length) {
        return ("POST /api/workflows/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: "
                + length + "\r\n\r\n--B\r\nContent-Disposition: form-data; name=\"image\"; filename=\"x.png\"\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Map<String, Object> json(RawHttp.Response r) throws IOException {
        return HttpCalls.JSON.readValue(r.body(), Map.class);
    }

    @Test
    void hundredsOfSlowUploadsStarveNeitherHealthNorANormalRequest() throws Exception {
        try (LoopbackServer s = start("min_upload_rate: 1024, upload_timeout: 30s, max_concurrent_uploads: " + UPLOAD_SLOTS)) {
            List<Socket> slow = new ArrayList<>();
            ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
            ExecutorService readers = Executors.newFixedThreadPool(32);
            try {
                for (int i = 0; i < SLOW_CLIENTS; i++) {
                    Socket socket = RawHttp.connect(s.server.port(), Duration.ofSeconds(60));
                    socket.getOutputStream().write(slowStart(100_000));
                    slow.add(socket);
                }
                // one byte every two seconds on every connection that is still open
                trickle.scheduleWithFixedDelay(() -> {
                    for (Socket socket : slow) {
                        try {
                            OutputStream out = socket.getOutputStream();
                            out.write('x');
                            out.flush();
                        } catch (IOException closed) {
                            // the server answered and closed it
                        }
                    }
                }, 2, 2, TimeUnit.SECONDS);
                List<Future<RawHttp.Response>> answers = new ArrayList<>();
                for (Socket socket : slow) answers.add(readers.submit(() -> RawHttp.read(socket.getInputStream())));

                // a normal client, while every upload slot is held: it follows Retry-After until it gets a slot
                Future<Object[]> normalRun = readers.submit(() -> {
                    long t0 = System.nanoTime();
                    int attempts = 0;
                    HttpResponse<byte[]> r;
                    do {
                        attempts++;
                        r = s.send(HttpCalls.multipart(s.api + "/workflows/runs", Map.of("image", png(12, 8), "output_only", "true")));
                        if (r.statusCode() == 503) Thread.sleep(1000L * Integer.parseInt(r.headers().firstValue("Retry-After").orElseThrow()));
                    } while (r.statusCode() == 503 && attempts < 30);
                    return new Object[] {r, (System.nanoTime() - t0) / 1_000_000, attempts};
                });
                long worstHealthMs = 0;
                for (int i = 0; i < 20; i++) {
                    long t0 = System.nanoTime();
                    HttpResponse<byte[]> health = s.http.send(HttpRequest.newBuilder(URI.create(s.api + "/health")).timeout(ANSWER_WITHIN).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    worstHealthMs = Math.max(worstHealthMs, (System.nanoTime() - t0) / 1_000_000);
                    assertEquals(200, health.statusCode());
                    Thread.sleep(250);
                }
                Object[] result = normalRun.get(2, TimeUnit.MINUTES);
                @SuppressWarnings("unchecked")
                HttpResponse<byte[]> normal = (HttpResponse<byte[]>) result[0];
                long normalMs = (Long) result[1];
                int attempts = (Integer) result[2];
                assertEquals(200, normal.statusCode(), new String(normal.body(), StandardCharsets.UTF_8));
                assertEquals(24, HttpCalls.image(normal.body()).getWidth());

                Map<Integer, Integer> statuses = new TreeMap<>();
                for (Future<RawHttp.Response> f : answers) {
                    RawHttp.Response r = f.get(60, TimeUnit.SECONDS);
                    statuses.merge(r.status(), 1, Integer::sum);
                    assertTrue(r.status() == 408 || r.status() == 503, r.status() + " " + r.text());
                    assertTrue(json(r).get("detail") instanceof String, r.text());
                    if (r.status() == 503) assertTrue(r.header("Retry-After") != null);
                    if (r.status() == 408) assertTrue(((String) json(r).get("detail")).contains("slower than 1024 bytes a second"), r.text());
                }
                System.out.printf("slow clients: %d answered %s; /health worst %d ms; the normal request took %d ms in %d attempt(s)%n",
                        SLOW_CLIENTS, statuses, worstHealthMs, normalMs, attempts);
                assertTrue(statuses.getOrDefault(408, 0) >= UPLOAD_SLOTS, "the clients holding upload slots were cut off: " + statuses);
            } finally {
                trickle.shutdownNow();
                readers.shutdownNow();
                for (Socket socket : slow) socket.close();
            }
        }
    }

    @Test
    void aBodyThatStopsArrivingIsAnswered408() throws Exception {
        try (LoopbackServer s = start("min_upload_rate: 1024"); Socket socket = RawHttp.connect(s.server.port(), Duration.ofSeconds(60))) {
            socket.getOutputStream().write(slowStart(50_000));
            socket.getOutputStream().write(new byte[500]);
            RawHttp.Response r = RawHttp.read(socket.getInputStream());
            assertEquals(408, r.status(), r.text());
            assertTrue(((String) json(r).get("detail")).startsWith("Request Timeout: the request body arrived slower than"), r.text());
        }
    }

    @Test
    void aBodyStillArrivingAtItsDeadlineIsAnswered408() throws Exception {
        try (LoopbackServer s = start("min_upload_rate: 100, upload_timeout: 3s"); Socket socket = RawHttp.connect(s.server.port(),
                Duration.ofSeconds(60))) {
            OutputStream out = socket.getOutputStream();
            out.write(slowStart(50_000));
            ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
            try {
                // 2 KB a second: well above the minimum rate, but 50 KB take longer than the deadline
                sender.scheduleAtFixedRate(() -> {
                    try {
                        out.write(new byte[512]);
                    } catch (IOException closed) {
                        // answered
                    }
                }, 0, 250, TimeUnit.MILLISECONDS);
                RawHttp.Response r = RawHttp.read(socket.getInputStream());
                assertEquals(408, r.status(), r.text());
                assertTrue(((String) json(r).get("detail")).contains("did not arrive within 3 s"), r.text());
            } finally {
                sender.shutdownNow();
            }
        }
    }
}
