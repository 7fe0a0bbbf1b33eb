package dev.modelcompose.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.testing.CliProcess;
import dev.modelcompose.testing.ComposeYaml;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.LinkedHashMap;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code model-compose up} and {@code down} as separate processes in a temp directory, like a user runs them. */
class UpDownCommandTest {
    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process cli(Path log, String... args) throws Exception {
        return CliProcess.start(dir, log, args);
    }

    /** The README example with a local test model, on {@code port}. */
    private void writeCompose(int port) throws Exception {
        Files.writeString(dir.resolve("model-compose.yml"), """
                controller:
                  type: http-server
                  port: PORT
                  base_path: /api
                """.replace("PORT", String.valueOf(port))
                + ComposeYaml.upscaleWorkflow("Upscale Image", ComposeYaml.testModel("realesr-animevideov3-x4"), 4, ""));
    }

    /** Waits until {@code up} answers {@code /health} with 200. */
    private static void awaitHealthy(Process up, Path log, HttpClient http, String api) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        HttpResponse<String> health = null;
        while (System.nanoTime() < deadline && up.isAlive()) {
            try {
                health = http.send(HttpRequest.newBuilder(URI.create(api + "/health")).build(), HttpResponse.BodyHandlers.ofString());
                break;
            } catch (java.io.IOException notYet) {
                Thread.sleep(200);
            }
        }
        assertTrue(health != null && health.statusCode() == 200, Files.readString(log));
    }

    /** {@code model-compose up} as a child process on a free port, answering {@code /health}. */
    private record Served(Process process, Path log, HttpClient http, String api) {}

    private Served up() throws Exception {
        int port = freePort();
        writeCompose(port);
        Path log = dir.resolve("up.log");
        Process up = cli(log, "up");
        HttpClient http = HttpClient.newHttpClient();
        String api = "http://127.0.0.1:" + port + "/api";
        try {
            awaitHealthy(up, log, http, api);
        } catch (Exception | AssertionError e) {
            up.destroyForcibly();
            throw e;
        }
        return new Served(up, log, http, api);
    }

    @Test
    void upServesTheReadmeCallAndDownStopsIt() throws Exception {
        Served served = up();
        Process up = served.process();
        Path log = served.log();
        HttpClient http = served.http();
        String api = served.api();
        try {
            assertTrue(Files.readString(log).contains(api), Files.readString(log));

            // curl -X POST http://localhost:PORT/api/workflows/runs -F "image=@x.png" -F output_only=true
            BufferedImage img = new BufferedImage(9, 7, BufferedImage.TYPE_INT_RGB);
            byte[] png = ImageFiles.encode(img, ImageFormat.PNG);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("image", png);
            fields.put("output_only", "true");
            HttpResponse<byte[]> r = http.send(HttpCalls.multipart(api + "/workflows/runs", fields).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            BufferedImage out = ImageIO.read(new ByteArrayInputStream(r.body()));
            assertEquals(36, out.getWidth());
            assertEquals(28, out.getHeight());

            Process down = cli(dir.resolve("down.log"), "down");
            assertTrue(down.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, down.exitValue(), Files.readString(dir.resolve("down.log")));
            assertTrue(up.waitFor(30, TimeUnit.SECONDS), "up stops within a few seconds of down");
            assertEquals(0, up.exitValue(), Files.readString(log));
            assertFalse(Files.exists(dir.resolve(".stop")));
        } finally {
            up.destroyForcibly();
        }
    }

    /** SIGTERM (what Ctrl-C and service managers send) while a run is under way: the run finishes and its client gets it. */
    @Test
    void sigtermLetsTheRunUnderWayFinishAndSendsItsResult() throws Exception {
        Served served = up();
        Process up = served.process();
        Path log = served.log();
        HttpClient http = served.http();
        String api = served.api();
        try {
            CompletableFuture<HttpResponse<byte[]>> run = http.sendAsync(
                    HttpCalls.multipart(api + "/workflows/runs", Map.of("image", HttpCalls.png(300, 200), "output_only", "true")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            CliProcess.awaitLog(up, log, "Job '__job__' started.", Duration.ofSeconds(60));
            up.destroy();  // SIGTERM

            HttpResponse<byte[]> r = run.get(2, TimeUnit.MINUTES);
            assertEquals(200, r.statusCode(), () -> new String(r.body()) + "\n" + CliProcess.read(log));
            BufferedImage out = HttpCalls.image(r.body());
            assertEquals("1200x800", out.getWidth() + "x" + out.getHeight());
            assertTrue(up.waitFor(60, TimeUnit.SECONDS), "up stops once the run is delivered");
        } finally {
            up.destroyForcibly();
        }
    }

    /** {@code up -d} starts its server JVM with the options of JvmOptions: it exits at once on an OutOfMemoryError. */
    @Test
    void detachedUpRunsAJvmThatFailsFastOnOutOfMemory() throws Exception {
        int port = freePort();
        writeCompose(port);
        Path log = dir.resolve("up-d.log");
        Process starter = cli(log, "up", "-d");
        assertTrue(starter.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, starter.exitValue(), Files.readString(log));
        long pid = Long.parseLong(Files.readString(dir.resolve(".model-compose.pid")).strip());
        ProcessHandle server = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
        try {
            String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
            assertTrue(cmdline.contains("-XX:+ExitOnOutOfMemoryError"), cmdline);
            assertEquals(java.util.List.of("-XX:+ExitOnOutOfMemoryError"), dev.modelcompose.cli.JvmOptions.required());
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            int status = 0;
            while (System.nanoTime() < deadline && server.isAlive() && status != 200) {
                try {
                    status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/health")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (java.io.IOException notYet) {
                    Thread.sleep(200);
                }
            }
            assertEquals(200, status, "the detached server answers /health");
            Process down = cli(dir.resolve("down.log"), "down");
            assertTrue(down.waitFor(60, TimeUnit.SECONDS));
            assertTrue(server.onExit().get(60, TimeUnit.SECONDS) != null);
        } finally {
            server.destroyForcibly();
        }
    }
}
