package dev.modelcompose.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.runtime.RuntimeOptions;
import dev.modelcompose.testing.ComposeYaml;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Work the server can never do as asked is refused up front with 413 and what fits, before anything is decoded or
 * upscaled: an output larger than one image can be, larger than its format stores, or needing more memory than the
 * server's whole budget.
 */
class OutputLimitsTest {
    @TempDir
    Path dir;

    /** A flat image: a small file however many pixels it has. */
    private static byte[] flat(int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(40, 90, 160));
        g.fillRect(0, 0, w, h);
        g.dispose();
        return ImageFiles.encode(img, ImageFormat.PNG);
    }

    private LoopbackServer start(String adapterKeys, String output, int scale, AtomicInteger upscales) {
        RuntimeOptions options = LoopbackServer.offlineOptions().withEngines((files, opts) -> new dev.modelcompose.runtime.UpscaleEngine() {
            @Override
            public int scale() {
                return scale;
            }

            @Override
            public BufferedImage upscale(BufferedImage image, dev.modelcompose.upscale.UpscaleOptions o, dev.modelcompose.upscale.UpscaleJob job) {
                upscales.incrementAndGet();
                throw new AssertionError("refused work must never reach the engine");
            }

            @Override
            public void close() {}
        });
        String yaml = "controller:\n  adapter: {type: http-server, base_path: /api" + adapterKeys + "}\n"
                + ComposeYaml.upscaleWorkflow(ComposeYaml.testModel(scale == 4 ? "realesr-animevideov3-x4" : "realesr-animevideov3-x2"), scale, "")
                        .replace("output: \"${output as image}\"", "output: \"${output as " + output + "}\"");
        return LoopbackServer.start(yaml, dir, options, ComposeServer.Settings.defaults());
    }

    private static String refusal(HttpResponse<byte[]> r) {
        assertEquals(413, r.statusCode(), new String(r.body()));
        return (String) HttpCalls.json(r).get("detail");
    }

    @Test
    void anOutputLargerThanOneImageIsRefusedSayingWhatFits() throws Exception {
        AtomicInteger upscales = new AtomicInteger();
        try (LoopbackServer s = start("", "image", 4, upscales)) {
            byte[] png = flat(7000, 7000);
            for (Map<String, Object> fields : java.util.List.<Map<String, Object>>of(Map.of("image", png, "output_only", "true"), Map.of("image", png),
                    Map.of("image", png, "wait_for_completion", "false"))) {
                String detail = refusal(s.post("/workflows/runs", fields));
                assertTrue(detail.startsWith("the output would be 28000x28000 (784.0 megapixels), but one image holds at most 715.8 megapixels of RGB"),
                        detail);
                assertTrue(detail.contains("at x4 the input may have at most 44.7 megapixels (e.g. 6688x6688)"), detail);
            }
            assertEquals(0, upscales.get());
        }
    }

    @Test
    void anOutputLargerThanItsFormatStoresIsRefused() throws Exception {
        AtomicInteger upscales = new AtomicInteger();
        try (LoopbackServer s = start("", "image/webp", 4, upscales)) {
            String detail = refusal(s.post("/workflows/runs", Map.of("image", flat(4100, 300), "output_only", "true")));
            assertTrue(detail.contains("WebP stores at most 16383 pixels a side: at x4 the input may be at most 4095 pixels a side; use PNG"), detail);
            assertEquals(0, upscales.get());
        }
    }

    @Test
    void workNeedingMoreThanTheWholeMemoryBudgetIsRefused() throws Exception {
        AtomicInteger upscales = new AtomicInteger();
        try (LoopbackServer s = start(", memory_budget: 64MiB", "image", 2, upscales)) {
            String detail = refusal(s.post("/workflows/runs", Map.of("image", flat(2000, 2000), "output_only", "true")));
            assertTrue(detail.contains("needs ") && detail.contains("more than this server lets one run use (64.0 MiB, the http-server adapter's "
                    + "memory_budget)"), detail);
            assertEquals(0, upscales.get());
        }
    }
}
