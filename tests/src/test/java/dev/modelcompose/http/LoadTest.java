package dev.modelcompose.http;

import static dev.modelcompose.http.HttpCalls.json;
import static dev.modelcompose.http.HttpCalls.png;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.runtime.RuntimeOptions;
import dev.modelcompose.runtime.Task;
import dev.modelcompose.runtime.TaskStatus;
import dev.modelcompose.testing.ComposeYaml;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bursts beyond capacity against a server on loopback: the requests over capacity get 429 with Retry-After, every
 * accepted run delivers a complete image, nothing fails, accepted runs never exceed the configured capacity, uploads
 * are cleaned up, and {@code /health} answers throughout. Request counts are bounded; nothing asserts speed.
 */
class LoadTest {
    /** The controller's max_concurrent_count. */
    private static final int WORKERS = 2;
    /** Accepted runs not yet finished (the server's bounded queue). */
    private static final int CAPACITY = 4;
    private static final int REQUESTS = 40;
    private static final int CLIENTS = 8;
    private static final Duration HEALTH_LIMIT = Duration.ofSeconds(5);
    /** How long a client waits after a 429 (shorter than Retry-After, to keep the pressure on). */
    private static final Duration REJECTED_PAUSE = Duration.ofMillis(200);

    @TempDir
    Path dir;

    private enum Outcome { ACCEPTED, REJECTED, FAILED }

    private record Result(Outcome outcome, String taskId, String problem) {}

    private static String compose(String model, int scale) {
        return """
                controller:
                  type: http-server
                  base_path: /api
                  max_concurrent_count: WORKERS
                  shutdown_timeout: 60s
                """.replace("WORKERS", String.valueOf(WORKERS)) + ComposeYaml.upscaleWorkflow(model, scale, "params: {tile_size: 32, tile_pad_size: 8}");
    }

    @Test
    void aBurstBeyondCapacityGets429sAndEveryAcceptedRunDeliversItsWholeImage() throws Exception {
        Path uploads = dir.resolve("uploads");
        // a tiny memory threshold puts every upload on disk, so leaked uploads would show in the directory
        ComposeServer.Settings settings = new ComposeServer.Settings(CAPACITY, 16L << 20, 64, uploads);
        try (LoopbackServer s = LoopbackServer.start(compose(ComposeYaml.testModel("realesr-animevideov3-x4"), 4), dir,
                LoopbackServer.offlineOptions(), settings)) {
            s.runtime.start();  // loads the model first, as `up` does, so the burst meets warm workers
            HealthPoller health = new HealthPoller(s);
            // CLIENTS clients share a budget of REQUESTS; they start together, and one that gets a 429 pauses briefly
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            CountDownLatch go = new CountDownLatch(1);
            AtomicInteger tickets = new AtomicInteger();
            List<Future<List<Result>>> futures = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                futures.add(clients.submit(() -> {
                    go.await();
                    List<Result> mine = new ArrayList<>();
                    for (int i; (i = tickets.getAndIncrement()) < REQUESTS; ) {
                        Result r = oneRequest(s, 8 + i % 5 * 4, 6 + i % 3 * 4, i % 2 == 0);
                        mine.add(r);
                        if (r.outcome() == Outcome.REJECTED) Thread.sleep(REJECTED_PAUSE.toMillis());
                    }
                    return mine;
                }));
            }
            go.countDown();
            List<Result> results = new ArrayList<>();
            for (Future<List<Result>> f : futures) results.addAll(f.get(5, TimeUnit.MINUTES));
            clients.shutdown();
            health.stop();

            long accepted = results.stream().filter(r -> r.outcome() == Outcome.ACCEPTED).count();
            long rejected = results.stream().filter(r -> r.outcome() == Outcome.REJECTED).count();
            List<String> failed = results.stream().filter(r -> r.outcome() == Outcome.FAILED).map(Result::problem).toList();
            System.out.printf("load: %d sent, %d accepted, %d rejected (429), %d failed; /health polled %d times during the burst%n",
                    results.size(), accepted, rejected, failed.size(), health.polls());

            assertEquals(List.of(), failed, "failed requests");
            assertTrue(accepted >= WORKERS, "accepted " + accepted);
            assertTrue(rejected > 0, CLIENTS + " clients against a capacity of " + CAPACITY + " must see 429s");
            assertEquals(List.of(), health.problems(), "/health during the burst");
            assertTrue(health.polls() > 0);

            List<Task> tasks = results.stream().filter(r -> r.taskId() != null).map(r -> s.runtime.task(r.taskId()).orElseThrow()).toList();
            assertEquals(accepted, tasks.size());
            for (Task t : tasks) assertEquals(TaskStatus.COMPLETED, t.status(), t.id());
            assertTrue(maxOverlap(tasks) <= CAPACITY, "accepted runs in flight at once: " + maxOverlap(tasks) + " > " + CAPACITY);
            assertEventuallyEmpty(uploads);
        }
    }

    /** One request; an accepted async run is polled to its end. The output must be the input's size x4, fully decodable. */
    private static Result oneRequest(LoopbackServer s, int w, int h, boolean wait) {
        try {
            HttpResponse<byte[]> r = s.post("/workflows/runs", Map.of("image", png(w, h), "wait_for_completion", String.valueOf(wait)));
            if (r.statusCode() == 429) {
                String retry = r.headers().firstValue("Retry-After").orElse("");
                return retry.matches("[1-9][0-9]*") ? new Result(Outcome.REJECTED, null, null)
                        : new Result(Outcome.FAILED, null, "429 without a valid Retry-After: '" + retry + "'");
            }
            if (r.statusCode() != 200) return new Result(Outcome.FAILED, null, "HTTP " + r.statusCode() + ": " + new String(r.body()));
            Map<String, Object> state = json(r);
            String id = (String) state.get("task_id");
            BufferedImage out;
            if (wait) {
                if (!"completed".equals(state.get("status"))) return new Result(Outcome.FAILED, id, "sync run: " + state);
                out = HttpCalls.outputImage(state);
            } else {
                out = pollOutput(s, id);
            }
            if (out == null) return new Result(Outcome.FAILED, id, "output of " + id + " is not a complete image");
            if (out.getWidth() != 4 * w || out.getHeight() != 4 * h)
                return new Result(Outcome.FAILED, id, "output of " + id + " is " + out.getWidth() + "x" + out.getHeight() + ", not " + 4 * w + "x" + 4 * h);
            return new Result(Outcome.ACCEPTED, id, null);
        } catch (Exception e) {
            return new Result(Outcome.FAILED, null, e.toString());
        }
    }

    private static BufferedImage pollOutput(LoopbackServer s, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<byte[]> r = s.get("/tasks/" + id + "?output_only=true");
            if (r.statusCode() == 200) return HttpCalls.image(r.body());
            if (r.statusCode() != 202) throw new AssertionError("task " + id + ": HTTP " + r.statusCode() + " " + new String(r.body()));
            Thread.sleep(20);
        }
        throw new AssertionError("task " + id + " did not finish");
    }

    /** The most tasks that were accepted and not yet finished at one instant. */
    private static int maxOverlap(List<Task> tasks) {
        List<long[]> events = new ArrayList<>();  // {time in ns, +1 accepted / -1 finished}
        for (Task t : tasks) {
            events.add(new long[] {nanos(t.createdAt()), 1});
            events.add(new long[] {nanos(t.finishedAt()), -1});
        }
        // a slot is freed before it is taken again: at equal times, finishes count first
        events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int now = 0, max = 0;
        for (long[] e : events) max = Math.max(max, now += (int) e[1]);
        return max;
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private static void assertEventuallyEmpty(Path uploads) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<Path> left;
        do {
            try (var files = Files.list(uploads)) {
                left = files.toList();
            }
            if (left.isEmpty()) return;
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        assertEquals(List.of(), left, "uploads left behind");
    }

    /**
     * Every slot holds a waiting request (the default capacity, the model blocked): further runs still get 429 at once
     * and {@code /health} still answers, so waiting requests cannot use up the server's request threads.
     */
    @Test
    void healthAnd429sStillAnswerWhileEverySlotHoldsAWaitingRequest() throws Exception {
        int capacity = ComposeServer.Settings.defaults().maxQueuedRuns();
        BlockingEngine engine = new BlockingEngine();
        RuntimeOptions options = LoopbackServer.offlineOptions().withEngines((files, opts) -> engine);
        try (LoopbackServer s = LoopbackServer.start(compose(ComposeYaml.testModel("realesr-animevideov3-x2"), 2), dir, options,
                ComposeServer.Settings.defaults())) {
            List<CompletableFuture<HttpResponse<byte[]>>> waiting = new ArrayList<>();
            try {
                for (int i = 0; i < capacity; i++) waiting.add(sendAsync(s, Map.of("image", png(3, 2), "output_only", "true")));
                awaitInFlight(s, capacity, engine);

                for (int i = 0; i < 4; i++) {
                    HttpResponse<byte[]> r = sendAsync(s, Map.of("image", png(3, 2))).get(HEALTH_LIMIT.toSeconds(), TimeUnit.SECONDS);
                    assertEquals(429, r.statusCode(), new String(r.body()));
                    assertTrue(r.headers().firstValue("Retry-After").isPresent());
                }
                HttpResponse<byte[]> health = s.http.sendAsync(HttpRequest.newBuilder(URI.create(s.api + "/health")).build(),
                        HttpResponse.BodyHandlers.ofByteArray()).get(HEALTH_LIMIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(200, health.statusCode());
            } finally {
                engine.release();
            }
            for (CompletableFuture<HttpResponse<byte[]>> f : waiting) {
                HttpResponse<byte[]> r = f.get(2, TimeUnit.MINUTES);
                assertEquals(200, r.statusCode(), new String(r.body()));
                BufferedImage out = HttpCalls.image(r.body());
                assertEquals(6, out.getWidth());
                assertEquals(4, out.getHeight());
            }
        }
    }

    private static CompletableFuture<HttpResponse<byte[]>> sendAsync(LoopbackServer s, Map<String, Object> fields) {
        return s.http.sendAsync(HttpCalls.multipart(s.api + "/workflows/runs", fields).timeout(Duration.ofMinutes(3)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Waits until the server holds {@code n} runs: the workers are blocked in the engine and the rest are queued. */
    private static void awaitInFlight(LoopbackServer s, int n, BlockingEngine engine) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (engine.started() >= WORKERS && s.server.inFlightRuns() >= n) return;
            Thread.sleep(20);
        }
        throw new AssertionError("the server holds " + s.server.inFlightRuns() + " runs, " + engine.started() + " started; expected " + n);
    }

    /** Polls {@code /health} every 50 ms until stopped; a poll that is not 200 within the limit is a problem. */
    private static final class HealthPoller {
        private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger polls = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        HealthPoller(LoopbackServer s) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(s.api + "/health")).timeout(HEALTH_LIMIT).build();
            thread = new Thread(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = s.http.send(request, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) problems.add("HTTP " + r.statusCode() + " " + r.body());
                        polls.incrementAndGet();
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        problems.add(e.toString());
                    }
                }
            }, "health-poller");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(HEALTH_LIMIT.toMillis() * 2);
        }

        int polls() {
            return polls.get();
        }

        List<String> problems() {
            return List.copyOf(problems);
        }
    }
}
