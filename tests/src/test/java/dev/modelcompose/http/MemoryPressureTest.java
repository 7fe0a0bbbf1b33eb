package dev.modelcompose.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dozens of concurrent uploads at the pixel limit against a server whose heap holds only a few of them at once (a child
 * JVM with a small -Xmx that exits on an OutOfMemoryError): each gets its correct result, or 503 with Retry-After, or
 * 413; none is reported as a broken image, none is a 500, and the server is still alive and healthy afterwards.
 */
class MemoryPressureTest {
    private static final String HEAP = "-Xmx768m";
    private static final int SIDE = 2000;
    private static final int UPLOADS = 40;

    @TempDir
    Path dir;

    /** A gradient whose every pixel differs from its neighbours, so a wrong or partial result shows. */
    private static BufferedImage input() {
        BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIDE; y++)
            for (int x = 0; x < SIDE; x++) img.setRGB(x, y, (x * 7 & 0xFF) << 16 | (y * 5 & 0xFF) << 8 | (x + y) & 0xFF);
        return img;
    }

    @Test
    void concurrentMaxPixelUploadsGetResultsOrRetryLaterButNeverExhaustTheHeap() throws Exception {
        Path compose = dir.resolve("model-compose.yml");
        Files.writeString(compose, "controller:\n  adapter: {type: http-server, base_path: /api, max_image_pixels: " + (SIDE * SIDE) + "}\n"
                + dev.modelcompose.testing.ComposeYaml.upscaleWorkflow(dev.modelcompose.testing.ComposeYaml.testModel("realesr-animevideov3-x2"), 2, ""));
        Path log = dir.resolve("server.log");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP, "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), ChildServer.class.getName(), compose.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null && !line.startsWith("PORT ")) seen.append(line).append('\n');
            assertTrue(line != null, "the child server did not start:\n" + seen);
            String api = "http://127.0.0.1:" + line.substring(5).strip() + "/api";
            Thread drain = new Thread(() -> {
                try {
                    Files.copy(child.getInputStream(), log);
                } catch (Exception ignored) {
                    // the child ended
                }
            });
            drain.setDaemon(true);
            drain.start();

            BufferedImage in = input();
            byte[] png = dev.modelcompose.imaging.ImageFiles.encode(in, dev.modelcompose.imaging.ImageFormat.PNG);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            List<CompletableFuture<HttpResponse<byte[]>>> sent = new ArrayList<>();
            for (int i = 0; i < UPLOADS; i++)
                sent.add(http.sendAsync(HttpCalls.multipart(api + "/workflows/runs", Map.of("image", png, "output_only", "true"))
                        .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofByteArray()));

            Map<Integer, Integer> statuses = new TreeMap<>();
            for (CompletableFuture<HttpResponse<byte[]>> f : sent) {
                HttpResponse<byte[]> r = f.get(10, TimeUnit.MINUTES);
                statuses.merge(r.statusCode(), 1, Integer::sum);
                String text = r.statusCode() == 200 ? "" : new String(r.body(), StandardCharsets.UTF_8);
                assertFalse(text.contains("corrupt") || text.contains("truncated"), text);
                switch (r.statusCode()) {
                    case 200 -> assertUpscaled(in, HttpCalls.image(r.body()));
                    case 503 -> {
                        assertTrue(r.headers().firstValue("Retry-After").isPresent(), text);
                        assertTrue(text.contains("retry"), text);
                    }
                    case 413 -> assertTrue(text.contains("memory"), text);
                    default -> throw new AssertionError("HTTP " + r.statusCode() + ": " + text);
                }
            }
            System.out.printf("memory pressure: %d concurrent %dx%d uploads under %s: %s%n", UPLOADS, SIDE, SIDE, HEAP, statuses);
            assertTrue(statuses.getOrDefault(200, 0) >= 1, "some runs must complete: " + statuses);
            assertTrue(statuses.getOrDefault(503, 0) >= 1, UPLOADS + " at once must exceed the budget: " + statuses);

            assertTrue(child.isAlive(), "the server exited (OutOfMemoryError?):\n" + seen + Files.readString(log));
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(api + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            // and one more run goes through once the burst is over
            HttpResponse<byte[]> after = http.send(HttpCalls.multipart(api + "/workflows/runs", Map.of("image", png, "output_only", "true")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, after.statusCode(), new String(after.body(), StandardCharsets.UTF_8));
        } finally {
            child.getOutputStream().close();
            if (!child.waitFor(20, TimeUnit.SECONDS)) child.destroyForcibly();
        }
    }

    /** Nearest neighbour x2: every output pixel is its input pixel. */
    private static void assertUpscaled(BufferedImage in, BufferedImage out) {
        assertEquals(2 * SIDE, out.getWidth());
        assertEquals(2 * SIDE, out.getHeight());
        for (int y = 0; y < out.getHeight(); y += 97)
            for (int x = 0; x < out.getWidth(); x += 89)
                assertEquals(in.getRGB(x / 2, y / 2) & 0xFFFFFF, out.getRGB(x, y) & 0xFFFFFF, x + "," + y);
    }
}
