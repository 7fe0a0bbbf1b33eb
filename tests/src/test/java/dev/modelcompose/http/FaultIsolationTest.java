package dev.modelcompose.http;

import static dev.modelcompose.http.HttpCalls.json;
import static dev.modelcompose.http.HttpCalls.png;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.modelcompose.runtime.RuntimeOptions;
import dev.modelcompose.testing.NativeFaults;
import dev.modelcompose.testing.ComposeYaml;
import dev.modelcompose.testing.NcnnModelWriter;
import dev.modelcompose.testing.TestAssets;
import dev.modelcompose.upscale.GpuDevices;
import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A native error in one run fails that run only: the server, the other workflows and later runs of the same model go
 * on, and the failed runs give back their queue slots. On a Vulkan device, a lost device or device memory running out
 * (injected) still completes the run, on the CPU or with smaller tiles, with a warning in the log.
 */
class FaultIsolationTest {
    @TempDir
    Path dir;

    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void clearInjectedFaults() {
        if (!GpuDevices.list().isEmpty()) NativeFaults.injectVulkanFault("");
    }

    /**
     * x2 in two steps: halve, then quadruple (nearest). It loads (the load-time probes have even sides) and fails inside
     * the native runner on an odd-sized tile, whose half rounds down: "the model produced 36x32 from a 37x35 tile".
     */
    private Path modelThatFailsOnOddSizes() {
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data", 3);
        m.layer("Interp", "down", "data", "half").put(0, 1).put(1, 0.5).put(2, 0.5);
        m.layer("Interp", "up", "half", "output").put(0, 1).put(1, 4.0).put(2, 4.0);
        return m.write(dir.resolve("models"), "odd-fails").param();
    }

    /** A real model whose weights file ends half-way: the native weight reader refuses it when the first run loads it. */
    private Path truncatedModel() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        Path param = Files.copy(TestAssets.models().resolve("realesr-animevideov3-x2.param"), models.resolve("truncated.param"));
        byte[] bin = Files.readAllBytes(TestAssets.models().resolve("realesr-animevideov3-x2.bin"));
        Files.write(models.resolve("truncated.bin"), java.util.Arrays.copyOf(bin, bin.length / 2));
        return param;
    }

    /** One entry of {@code components:}; {@code device} null for the default (the CPU here, as there is no hardware GPU). */
    private static String component(String id, Object model, String device, int tileSize) {
        return """
                  - id: ID
                    type: model
                    task: image-upscale
                    family: real-esrgan
                    model: MODEL
                    scale: 2
                    device: DEVICE
                    action:
                      image: ${input.image as image}
                      params: {tile_size: TILE}
                """.replace("ID", id).replace("MODEL", model.toString()).replace("DEVICE", device == null ? "cpu" : device)
                .replace("TILE", String.valueOf(tileSize));
    }

    private static String component(String id, Object model) {
        return component(id, model, null, 0);
    }

    private LoopbackServer start(String components, int capacity) {
        String yaml = """
                controller:
                  type: http-server
                  base_path: /api
                  max_concurrent_count: 2
                  shutdown_timeout: 60s
                workflows:
                  - {id: good, default: true, job: {component: good, input: "${input}", output: "${output as image}"}}
                  - {id: bad, job: {component: bad, input: "${input}", output: "${output as image}"}}
                  - {id: truncated, job: {component: truncated, input: "${input}", output: "${output as image}"}}
                components:
                """ + components;
        RuntimeOptions options = LoopbackServer.offlineOptions().withLog(log::add);
        return LoopbackServer.start(yaml, dir, options, ComposeServer.Settings.defaults().withMaxQueuedRuns(capacity));
    }

    private static Map<String, Object> run(String workflow, int w, int h) {
        return Map.of("workflow_id", workflow, "image", png(w, h));
    }

    private static Map<String, Object> with(Map<String, Object> fields, String key, String value) {
        Map<String, Object> m = new java.util.LinkedHashMap<>(fields);
        m.put(key, value);
        return m;
    }

    private static void assertImage(HttpResponse<byte[]> r, int w, int h) throws Exception {
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
        BufferedImage img = r.headers().firstValue("Content-Type").orElse("").startsWith("image/png") ? HttpCalls.image(r.body())
                : HttpCalls.outputImage(json(r));
        assertEquals(w + "x" + h, img.getWidth() + "x" + img.getHeight());
    }

    @Test
    void aNativeErrorFailsItsRunOnlyWhileTheGoodWorkflowRunsBeforeDuringAndAfter() throws Exception {
        String good = ComposeYaml.testModel("realesr-animevideov3-x2");
        int capacity = 3;
        try (LoopbackServer s = start(component("good", good) + component("bad", modelThatFailsOnOddSizes())
                + component("truncated", truncatedModel()), capacity)) {
            assertImage(s.post("/workflows/runs", with(run("good", 8, 6), "output_only", "true")), 16, 12);

            // a run-time error inside the native runner: 500 with the reason on the raw path, a failed task state otherwise
            HttpResponse<byte[]> r = s.post("/workflows/runs", with(run("bad", 7, 5), "output_only", "true"));
            assertEquals(500, r.statusCode(), new String(r.body()));
            String detail = (String) json(r).get("detail");
            assertTrue(detail.contains("component 'bad'") && detail.contains("the model produced"), detail);
            Map<String, Object> state = json(s.post("/workflows/runs", run("bad", 7, 5)));
            assertEquals("failed", state.get("status"));
            assertTrue(((String) state.get("error")).contains("the model produced"), state.toString());

            // a load-time error of the native weight reader, at the first run
            state = json(s.post("/workflows/runs", run("truncated", 8, 6)));
            assertEquals("failed", state.get("status"));
            String error = (String) state.get("error");
            assertTrue(error.contains("component 'truncated'") && error.contains("truncated"), error);

            // failing and good runs side by side, more of them than the capacity: failures give their slots back
            for (int round = 0; round < 2 * capacity; round++) {
                Map<String, Object> submitted = json(s.post("/workflows/runs", with(run(round % 2 == 0 ? "bad" : "truncated", 9, 7),
                        "wait_for_completion", "false")));
                String id = (String) submitted.get("task_id");
                CompletableFuture<HttpResponse<byte[]>> alongside = s.http.sendAsync(
                        HttpCalls.multipart(s.api + "/workflows/runs", with(run("good", 10, 4), "output_only", "true")).timeout(Duration.ofMinutes(2)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertEquals("failed", awaitEnd(s, id).get("status"), "round " + round);
                assertImage(alongside.get(2, TimeUnit.MINUTES), 20, 8);
            }
            assertEquals(0, s.server.inFlightRuns());

            // the model that failed still runs the images it can take: the native runner recovered
            assertImage(s.post("/workflows/runs", with(run("bad", 8, 6), "output_only", "true")), 16, 12);
            assertEquals(200, s.get("/health").statusCode());
        }
    }

    private static Map<String, Object> awaitEnd(LoopbackServer s, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        Map<String, Object> state;
        do {
            state = json(s.get("/tasks/" + id));
            if (List.of("completed", "failed", "cancelled").contains(state.get("status"))) return state;
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("task " + id + " did not end: " + state);
    }

    /** The good workflow on Vulkan device 0 (lavapipe on CI); skipped without a device. */
    private LoopbackServer startOnVulkan(int tileSize) throws Exception {
        assumeTrue(!GpuDevices.list().isEmpty(), () -> "no Vulkan device: " + GpuDevices.unavailableReason());
        return start(component("good", ComposeYaml.testModel("realesr-animevideov3-x2"), "0", tileSize)
                + component("bad", modelThatFailsOnOddSizes()) + component("truncated", truncatedModel()), 4);
    }

    @Test
    void aLostDeviceFinishesTheRunOnTheCpuWithAWarning() throws Exception {
        try (LoopbackServer s = startOnVulkan(32)) {
            assertImage(s.post("/workflows/runs", with(run("good", 8, 6), "output_only", "true")), 16, 12);
            NativeFaults.injectVulkanFault("lost@2");
            assertImage(s.post("/workflows/runs", with(run("good", 40, 36), "output_only", "true")), 80, 72);
            assertTrue(log.stream().anyMatch(l -> l.contains("warning") && l.contains("finishing its tiles on the CPU") && l.contains("DEVICE_LOST")),
                    String.join("\n", log));
            NativeFaults.injectVulkanFault("");
            assertImage(s.post("/workflows/runs", with(run("good", 8, 6), "output_only", "true")), 16, 12);
            assertEquals(200, s.get("/health").statusCode());
        }
    }

    @Test
    void deviceMemoryRunningOutRetriesTheTileSmaller() throws Exception {
        try (LoopbackServer s = startOnVulkan(64)) {
            NativeFaults.injectVulkanFault("oom@1");
            assertImage(s.post("/workflows/runs", with(run("good", 40, 36), "output_only", "true")), 80, 72);
            assertTrue(log.stream().anyMatch(l -> l.contains("warning") && l.contains("retrying a tile at 32 px")), String.join("\n", log));
        }
    }
}
