package dev.modelcompose.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.runtime.RuntimeOptions;
import dev.modelcompose.testing.ComposeYaml;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same large run repeated: each output is encoded once and served from that encoding to every client (concurrent
 * downloads get identical bytes), polls carry a link rather than the image, and finished outputs stay within their
 * memory and disk budgets, the oldest forgotten first.
 */
class LargeOutputTest {
    /** Noise compresses badly: a 2048x2048 result makes a PNG of several MB. */
    private static final int SIDE = 1024;
    private static final int RUNS = 6;

    @TempDir
    Path dir;

    private static BufferedImage noise() {
        Random random = new Random(13);
        BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIDE; y++) for (int x = 0; x < SIDE; x++) img.setRGB(x, y, random.nextInt(1 << 24));
        return img;
    }

    @Test
    void repeatedLargeOutputsAreEncodedOnceServedAsStoredAndKeptWithinTheirBudgets() throws Exception {
        BlockingEngine engine = new BlockingEngine();
        engine.release();
        RuntimeOptions options = LoopbackServer.offlineOptions().withEngines((files, opts) -> engine);
        BufferedImage in = noise();
        byte[] png = ImageFiles.encode(in, ImageFormat.PNG);
        // room for about one and a half outputs in memory and three and a half on disk
        long outputBytes = ImageFiles.encode(BlockingEngine.nearestTimesTwo(in), ImageFormat.PNG).length;
        long diskBudget = outputBytes * 7 / 2;
        String yaml = "controller:\n  adapter: {type: http-server, base_path: /api, output_memory: " + outputBytes * 3 / 2 + ", output_disk: "
                + diskBudget + "}\n" + ComposeYaml.upscaleWorkflow(ComposeYaml.testModel("realesr-animevideov3-x2"), 2, "");
        try (LoopbackServer s = LoopbackServer.start(yaml, dir, options, ComposeServer.Settings.defaults().withMaxRequestBytes(64L << 20))) {
            List<String> ids = new ArrayList<>();
            for (int run = 0; run < RUNS; run++) {
                // the synchronous answer streams the stored PNG with its length
                HttpResponse<byte[]> r = s.post("/workflows/runs", Map.of("image", png, "output_only", "true"));
                assertEquals(200, r.statusCode(), new String(r.body()));
                assertEquals(String.valueOf(r.body().length), r.headers().firstValue("Content-Length").orElse(""));
                assertEquals(outputBytes, r.body().length, "the stored encoding is the PNG encoder's");
                assertUpscaled(in, HttpCalls.image(r.body()));

                // the same run submitted without waiting, then polled: a poll is small, state and a link, not 12 MB of base64
                String id = (String) HttpCalls.json(s.post("/workflows/runs", Map.of("image", png, "wait_for_completion", "false"))).get("task_id");
                ids.add(id);
                HttpResponse<byte[]> poll;
                Map<String, Object> state;
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                do {
                    Thread.sleep(50);
                    poll = s.get("/tasks/" + id);
                    state = HttpCalls.json(poll);
                } while (!"completed".equals(state.get("status")) && System.nanoTime() < deadline);
                assertEquals("completed", state.get("status"), state.toString());
                assertFalse(state.containsKey("output"), "a large output is not inlined in a poll");
                assertEquals("/api/tasks/" + id + "?output_only=true", state.get("output_url"));
                assertTrue(poll.body().length < 1024, poll.body().length + " bytes");

                // concurrent downloads of the one encoding are identical
                List<CompletableFuture<HttpResponse<byte[]>>> downloads = new ArrayList<>();
                for (int i = 0; i < 4; i++)
                    downloads.add(s.http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.server.port() + state.get("output_url")))
                            .timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofByteArray()));
                for (CompletableFuture<HttpResponse<byte[]>> d : downloads) {
                    HttpResponse<byte[]> got = d.get(2, TimeUnit.MINUTES);
                    assertEquals(200, got.statusCode());
                    assertArrayEquals(downloads.get(0).get().body(), got.body(), "every download is the same stored encoding");
                }
                // asked for, the poll carries it inline: the same bytes as base64
                Map<String, Object> inline = HttpCalls.json(s.get("/tasks/" + id + "?include_output=true"));
                assertArrayEquals(downloads.get(0).get().body(), Base64.getDecoder().decode((String) inline.get("output")));
                assertUpscaled(in, HttpCalls.image(downloads.get(0).get().body()));

                assertTrue(directorySize(s.server.outputDirectory()) <= diskBudget, "outputs on disk: " + directorySize(s.server.outputDirectory()));
            }
            // 12 MB outputs, 16 MiB in memory and 40 MiB on disk: the oldest are forgotten, the newest kept
            assertEquals(404, s.get("/tasks/" + ids.get(0)).statusCode(), "the oldest output is forgotten");
            assertEquals(200, s.get("/tasks/" + ids.get(RUNS - 1) + "?output_only=true").statusCode());
            long kept = ids.stream().filter(id -> {
                try {
                    return s.get("/tasks/" + id).statusCode() == 200;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }).count();
            System.out.printf("large outputs: %d runs, each twice, of a %d-byte result; %d of the polled ones still kept, %d bytes on disk%n",
                    RUNS, outputBytes, kept, directorySize(s.server.outputDirectory()));
            assertTrue(kept >= 1 && kept < RUNS, kept + " of " + RUNS + " kept");
        }
    }

    private static long directorySize(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void assertUpscaled(BufferedImage in, BufferedImage out) {
        assertEquals(2 * SIDE, out.getWidth());
        for (int y = 0; y < out.getHeight(); y += 7)
            for (int x = 0; x < out.getWidth(); x += 5)
                assertEquals(in.getRGB(x / 2, y / 2) & 0xFFFFFF, out.getRGB(x, y) & 0xFFFFFF, x + "," + y);
    }
}
