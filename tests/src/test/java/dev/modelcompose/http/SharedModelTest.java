package dev.modelcompose.http;

import static dev.modelcompose.http.HttpCalls.png;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.runtime.RuntimeOptions;
import dev.modelcompose.runtime.UpscaleEngine;
import dev.modelcompose.testing.ComposeYaml;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compose file that takes {@code tile_size} from the request: every request, whatever tile it asks for, runs on the
 * one model its component loaded. realesrgan-x4plus is the model because a second copy of it would cost far more than
 * the bound (67 MB of weights, four times that once Winograd-transformed), so a copy per tile size could not hide.
 */
class SharedModelTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void twelveTileSizesFromTheRequestShareOneLoadedModel() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        RuntimeOptions options = LoopbackServer.offlineOptions().withEngines((files, load) -> {
            loads.incrementAndGet();
            return UpscaleEngine.native_(files, load);
        });
        String yaml = ComposeYaml.upscaleWorkflow(ComposeYaml.testModel("realesrgan-x4plus"), 4,
                "params: {tile_size: \"${input.tile as integer | 0}\"}");
        try (LoopbackServer s = LoopbackServer.start(yaml, dir, options, ComposeServer.Settings.defaults())) {
            upscale(s, 0);  // warm: first allocations, JIT
            upscale(s, 0);
            long before = residentBytes(), heapBefore = heapCommitted();
            for (int i = 0; i < 12; i++) upscale(s, 32 + 4 * i);
            long after = residentBytes(), heapAfter = heapCommitted();
            // The Java heap grows as the collector decides (more so after the other tests of this JVM); what a copy of
            // the model would cost is native memory, so the bound applies to resident memory outside the heap.
            long growth = (after - heapAfter) - (before - heapBefore);
            System.out.printf("12 tile sizes over HTTP: %d model load(s), resident memory %d -> %d MiB (Java heap %d -> %d MiB; outside it %+d MiB)%n",
                    loads.get(), before / MIB, after / MIB, heapBefore / MIB, heapAfter / MIB, growth / MIB);
            assertEquals(1, loads.get(), "the model must be loaded once");
            assertTrue(growth < 100 * MIB, "resident memory outside the Java heap grew by " + growth / MIB + " MiB");
        }
    }

    private static void upscale(LoopbackServer s, int tile) throws IOException, InterruptedException {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("image", png(36, 30));
        fields.put("tile", Integer.toString(tile));
        fields.put("output_only", "true");
        HttpResponse<byte[]> r = s.post("/workflows/runs", fields);
        assertEquals(200, r.statusCode(), () -> "tile " + tile + ": " + new String(r.body()));
        BufferedImage out = HttpCalls.image(r.body());
        assertNotNull(out, "tile " + tile + ": not an image");
        assertEquals(144, out.getWidth());
        assertEquals(120, out.getHeight());
    }

    private static long heapCommitted() {
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }

    /** VmRSS of this process (the server runs in it). */
    private static long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status")))
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
