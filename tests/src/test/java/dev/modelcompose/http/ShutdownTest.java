package dev.modelcompose.http;

import static dev.modelcompose.http.HttpCalls.json;
import static dev.modelcompose.http.HttpCalls.png;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.runtime.RuntimeOptions;
import dev.modelcompose.runtime.Task;
import dev.modelcompose.runtime.TaskStatus;
import dev.modelcompose.testing.ComposeYaml;
import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful shutdown over loopback: a run in flight when shutdown starts finishes and its waiting client gets the whole
 * result, while /health and new runs answer 503; a run still going at {@code shutdown_timeout} is cancelled.
 */
class ShutdownTest {
    @TempDir
    Path dir;

    private LoopbackServer start(String shutdownTimeout, BlockingEngine engine) {
        String yaml = """
                controller:
                  type: http-server
                  base_path: /api
                  shutdown_timeout: TIMEOUT
                """.replace("TIMEOUT", shutdownTimeout) + ComposeYaml.upscaleWorkflow(ComposeYaml.testModel("realesr-animevideov3-x2"), 2, "");
        RuntimeOptions options = LoopbackServer.offlineOptions().withEngines((files, opts) -> engine);
        return LoopbackServer.start(yaml, dir, options, ComposeServer.Settings.defaults());
    }

    private static CompletableFuture<HttpResponse<byte[]>> runAsync(LoopbackServer s, Map<String, Object> fields) {
        return s.http.sendAsync(HttpCalls.multipart(s.api + "/workflows/runs", fields).timeout(Duration.ofMinutes(2)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Noise compresses badly, so the PNG is large and takes a while to encode and send. */
    private static BufferedImage noiseTimesTwo(BufferedImage in) {
        BufferedImage out = new BufferedImage(in.getWidth() * 2, in.getHeight() * 2, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(7);
        for (int y = 0; y < out.getHeight(); y++)
            for (int x = 0; x < out.getWidth(); x++) out.setRGB(x, y, random.nextInt());
        return out;
    }

    @Test
    void aRunInFlightAtShutdownIsDeliveredWholeWhileNewRunsGet503() throws Exception {
        BlockingEngine engine = new BlockingEngine(ShutdownTest::noiseTimesTwo);
        try (LoopbackServer s = start("60s", engine)) {
            CompletableFuture<HttpResponse<byte[]>> inFlight = runAsync(s, Map.of("image", png(500, 400), "output_only", "true"));
            engine.awaitStarted(1, Duration.ofSeconds(30));

            CompletableFuture<Void> down = CompletableFuture.runAsync(s.server::shutdown);
            awaitHealth(s, 503);
            assertEquals("shutting_down", json(s.get("/health")).get("status"));
            HttpResponse<byte[]> refused = s.post("/workflows/runs", Map.of("image", png(4, 4)));
            assertEquals(503, refused.statusCode());
            assertEquals("Service is shutting down", json(refused).get("detail"));

            engine.release();
            // until the port closes, every answer is a JSON 503, also while the server drains the response under way
            while (!down.isDone()) {
                try {
                    HttpResponse<byte[]> health = s.get("/health");
                    assertEquals(503, health.statusCode());
                    assertTrue(json(health).containsKey("status") || json(health).containsKey("detail"), new String(health.body()));
                } catch (java.io.IOException closed) {
                    break;
                }
                Thread.sleep(5);
            }
            HttpResponse<byte[]> r = inFlight.get(2, TimeUnit.MINUTES);
            assertEquals(200, r.statusCode());
            BufferedImage out = HttpCalls.image(r.body());
            assertNotNull(out, "the image arrived whole");
            BufferedImage expected = noiseTimesTwo(new BufferedImage(500, 400, BufferedImage.TYPE_INT_RGB));
            assertEquals("1000x800", out.getWidth() + "x" + out.getHeight());
            assertArrayEquals(expected.getRGB(0, 0, 1000, 800, null, 0, 1000), out.getRGB(0, 0, 1000, 800, null, 0, 1000));
            down.get(2, TimeUnit.MINUTES);
            assertTrue(s.server.isStopped());
        }
    }

    @Test
    void aRunStillGoingAtTheShutdownTimeoutIsCancelledAndItsClientToldSo() throws Exception {
        BlockingEngine engine = new BlockingEngine();  // never released
        try (LoopbackServer s = start("500ms", engine)) {
            CompletableFuture<HttpResponse<byte[]>> waiting = runAsync(s, Map.of("image", png(8, 8), "output_only", "true"));
            Map<String, Object> queued = json(s.post("/workflows/runs", Map.of("image", png(8, 8), "wait_for_completion", "false")));
            engine.awaitStarted(1, Duration.ofSeconds(30));

            s.server.shutdown();
            assertTrue(s.server.isStopped());
            HttpResponse<byte[]> r = waiting.get(1, TimeUnit.MINUTES);
            assertEquals(409, r.statusCode(), new String(r.body()));
            assertEquals("cancelled", json(r).get("status"));
            Task other = s.runtime.task((String) queued.get("task_id")).orElseThrow();
            assertTrue(other.await(30, TimeUnit.SECONDS));
            assertEquals(TaskStatus.CANCELLED, other.status());
        }
    }

    private static void awaitHealth(LoopbackServer s, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (s.get("/health").statusCode() != status) {
            if (System.nanoTime() > deadline) throw new AssertionError("/health never answered " + status);
            Thread.sleep(20);
        }
    }
}
