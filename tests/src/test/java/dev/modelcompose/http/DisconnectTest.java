package dev.modelcompose.http;

import static dev.modelcompose.http.HttpCalls.png;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelcompose.runtime.RuntimeOptions;
import dev.modelcompose.runtime.Task;
import dev.modelcompose.runtime.TaskStatus;
import dev.modelcompose.testing.ComposeYaml;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client that gives up on a waiting run: the run is cancelled (unless {@code cancel_on_disconnect: false}). */
class DisconnectTest {
    @TempDir
    Path dir;

    private static byte[] request() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("--B\r\nContent-Disposition: form-data; name=\"image\"; filename=\"x.png\"\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        body.writeBytes(png(4, 3));
        body.writeBytes("\r\n--B\r\nContent-Disposition: form-data; name=\"output_only\"\r\n\r\ntrue\r\n--B--\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return RawHttp.post("/api/workflows/runs", "multipart/form-data; boundary=B", body.toByteArray());
    }

    /** Sends a waiting run, lets it start, closes the connection; returns the run's task. */
    private static Task runThenHangUp(LoopbackServer s, BlockingEngine engine) throws Exception {
        try (Socket socket = RawHttp.connect(s.server.port(), Duration.ofSeconds(30))) {
            socket.getOutputStream().write(request());
            engine.awaitStarted(1, Duration.ofSeconds(30));
            return onlyTask(s);
        }
    }

    private static Task onlyTask(LoopbackServer s) {
        return s.server.inFlightTasks().stream().findFirst().orElseThrow(() -> new AssertionError("no run in flight"));
    }

    private static void awaitStatus(Task task, TaskStatus status, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (task.status() != status && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(status, task.status());
    }

    private LoopbackServer start(BlockingEngine engine, String adapterKeys) {
        RuntimeOptions options = LoopbackServer.offlineOptions().withEngines((files, opts) -> engine);
        String yaml = "controller:\n  adapter: {type: http-server, base_path: /api" + adapterKeys + "}\n"
                + ComposeYaml.upscaleWorkflow(ComposeYaml.testModel("realesr-animevideov3-x2"), 2, "");
        return LoopbackServer.start(yaml, dir, options, ComposeServer.Settings.defaults());
    }

    @Test
    void aRunWhoseClientHangsUpIsCancelled() throws Exception {
        BlockingEngine engine = new BlockingEngine();
        try (LoopbackServer s = start(engine, "")) {
            Task task = runThenHangUp(s, engine);
            awaitStatus(task, TaskStatus.CANCELLED, Duration.ofSeconds(10));
            // the server serves on
            engine.release();
            assertEquals(200, s.post("/workflows/runs", Map.of("image", png(2, 2), "output_only", "true")).statusCode());
        }
    }

    @Test
    void withCancelOnDisconnectOffTheRunGoesOn() throws Exception {
        BlockingEngine engine = new BlockingEngine();
        try (LoopbackServer s = start(engine, ", cancel_on_disconnect: false")) {
            Task task = runThenHangUp(s, engine);
            Thread.sleep(2000);  // four times the server's check period
            assertEquals(TaskStatus.PROCESSING, task.status());
            engine.release();
            awaitStatus(task, TaskStatus.COMPLETED, Duration.ofSeconds(30));
        }
    }
}
