package dev.modelcompose.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelcompose.compose.ControllerConfig;
import dev.modelcompose.compose.HttpLimits;
import dev.modelcompose.compose.WorkflowConfig;
import dev.modelcompose.expr.InputAccess;
import dev.modelcompose.memory.MemoryBudget;
import dev.modelcompose.memory.MemoryBusyException;
import dev.modelcompose.memory.TooLargeException;
import dev.modelcompose.runtime.ComposeRuntime;
import dev.modelcompose.runtime.OutputStore;
import dev.modelcompose.runtime.Task;
import dev.modelcompose.runtime.TaskStatus;
import dev.modelcompose.runtime.WorkflowNotFoundException;
import dev.modelcompose.runtime.WorkflowSchema;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.handler.StatisticsHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The {@code http-server} adapter (contract 3.2-3.5, 3.9) and the web page (3.10) of {@code model-compose up}, on
 * Javalin. Runs go to the shared {@link ComposeRuntime}; {@code as image} never reads local paths here (the runtime
 * must be created with {@code allowLocalPaths=false}), and {@code ;path}/{@code ;url} inputs reach only what the
 * adapter's {@code input_paths} and {@code allow_private_urls} allow ({@link HttpInputs}), whatever the runtime's
 * default.
 *
 * <p>Shutdown ({@link #shutdown()}): {@code /health} answers 503 {@code shutdown_pending} for the controller's
 * {@code shutdown_pending_period}, then 503 {@code shutting_down} and new runs get 503 while in-flight runs get up to
 * {@code shutdown_timeout} to finish; what is left is cancelled and the ports close.
 */
public final class ComposeServer implements AutoCloseable {
    /** Reserved top-level fields of a run request (contract 3.3); the others are the input when there is no {@code input}. */
    static final Set<String> RESERVED = Set.of("workflow_id", "input", "session_id", "metadata", "wait_for_completion", "output_only",
            "subscribe_task", "callback_url", "callback_headers");
    private static final Set<String> FILE_TYPES = Set.of("image", "audio", "video", "file");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param maxQueuedRuns   runs accepted but not finished at once; more get 429 with Retry-After (0 = unbounded)
     * @param maxRequestBytes larger request bodies get 413
     * @param memoryThreshold uploads above this many bytes are streamed to a temp file
     */
    public record Settings(int maxQueuedRuns, long maxRequestBytes, int memoryThreshold, Path tempDir) {
        public static Settings defaults() {
            return new Settings(256, 512L << 20, 1 << 20, null);
        }

        public Settings withMaxQueuedRuns(int n) {
            return new Settings(n, maxRequestBytes, memoryThreshold, tempDir);
        }

        public Settings withMaxRequestBytes(long n) {
            return new Settings(maxQueuedRuns, n, memoryThreshold, tempDir);
        }
    }

    enum State { CREATED, RUNNING, SHUTDOWN_PENDING, SHUTTING_DOWN, STOPPED }

    private final ComposeRuntime runtime;
    private final ControllerConfig controller;
    private final ControllerConfig.AdapterConfig adapter;
    private final Settings settings;
    private final String base;
    private final Path tempDir;
    /** Finished outputs beyond their memory budget. */
    private final Path outputDir;
    private final HttpLimits limits;
    private final InputAccess inputAccess;
    private final Uploads uploads;
    private final TaskAnswers answers;
    /** Writes answers that carry outputs (see {@link #answerOn}). */
    private final ExecutorService responses = Executors.newCachedThreadPool(daemon("response"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("disconnect-watch"));
    private final Set<Task> inFlight = ConcurrentHashMap.newKeySet();
    private volatile State state = State.CREATED;
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    private Javalin api;
    private Javalin webui;

    public ComposeServer(ComposeRuntime runtime, Settings settings) {
        this(runtime, httpAdapter(runtime.config().controller()), settings);
    }

    /** @param adapter where to listen (the host, port 0 for any free one, base path, CORS origins) */
    public ComposeServer(ComposeRuntime runtime, ControllerConfig.AdapterConfig adapter, Settings settings) {
        this.runtime = runtime;
        this.controller = runtime.config().controller();
        this.adapter = adapter;
        this.settings = settings;
        String bp = adapter.basePath() == null ? "" : adapter.basePath().strip();
        if (!bp.isEmpty() && !bp.startsWith("/")) bp = "/" + bp;
        while (bp.endsWith("/")) bp = bp.substring(0, bp.length() - 1);
        this.base = bp;
        this.inputAccess = HttpInputs.access(adapter, runtime.project(), settings.maxRequestBytes());
        this.limits = adapter.limits();
        try {
            this.tempDir = settings.tempDir() != null ? Files.createDirectories(settings.tempDir()) : Files.createTempDirectory("model-compose-uploads");
            this.outputDir = Files.createTempDirectory("model-compose-outputs");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for uploads and outputs: " + e.getMessage(), e);
        }
        runtime.memoryBudget().resize(limits.memoryBudgetBytes());
        runtime.limitImagePixels(limits.maxImagePixels());
        runtime.storeOutputs(new OutputStore(outputDir), limits.outputMemoryBytes(), limits.outputDisk());
        this.uploads = new Uploads(limits, settings.maxRequestBytes());
        this.answers = new TaskAnswers(base);
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The first {@code http-server} adapter of the controller, or the defaults (127.0.0.1:8080, no base path). */
    public static ControllerConfig.AdapterConfig httpAdapter(ControllerConfig controller) {
        return controller.adapters().stream().filter(a -> "http-server".equals(a.type())).findFirst()
                .orElse(new ControllerConfig.AdapterConfig("http-server", "127.0.0.1", 8080, null, List.of("*"), null));
    }

    // ---------------------------------------------------------------------------------------------- lifecycle

    /** Binds the API (and the web page when the controller has a {@code webui}). */
    public synchronized ComposeServer start() {
        return start(adapter.port(), controller.webui() == null ? -1 : controller.webui().port());
    }

    /** @param webuiPort -1: no web page; 0: any free port */
    public synchronized ComposeServer start(int apiPort, int webuiPort) {
        if (state != State.CREATED) throw new IllegalStateException("already started");
        api = create(false);
        api.start(adapter.host() == null ? "127.0.0.1" : adapter.host(), apiPort);
        if (webuiPort >= 0) {
            webui = create(true);
            String host = controller.webui() != null && controller.webui().host() != null ? controller.webui().host() : "127.0.0.1";
            webui.start(host, webuiPort);
        }
        state = State.RUNNING;
        return this;
    }

    public int port() {
        return api.port();
    }

    /** -1 when there is no web page. */
    public int webuiPort() {
        return webui == null ? -1 : webui.port();
    }

    public String basePath() {
        return base;
    }

    /** Where finished outputs beyond their memory budget are kept (tests check its size). */
    Path outputDirectory() {
        return outputDir;
    }

    /** The accepted runs not yet finished (tests). */
    List<Task> inFlightTasks() {
        return inFlight.stream().filter(t -> !t.status().isTerminal()).toList();
    }

    /** Accepted runs that have not finished: what {@link Settings#maxQueuedRuns()} bounds. */
    int inFlightRuns() {
        return (int) inFlight.stream().filter(t -> !t.status().isTerminal()).count();
    }

    /** The addresses served, for {@code up} to print. */
    public List<String> addresses() {
        List<String> out = new ArrayList<>();
        out.add("http://" + display(adapter.host()) + ":" + port() + base);
        if (webui != null) out.add("http://" + display(controller.webui() == null ? null : controller.webui().host()) + ":" + webuiPort() + "/");
        return out;
    }

    private static String display(String host) {
        return host == null || host.isBlank() ? "127.0.0.1" : host.equals("0.0.0.0") ? "localhost" : host;
    }

    /** Graceful stop: see the class comment. Blocks until the ports are closed. */
    public void shutdown() {
        synchronized (this) {
            if (state == State.CREATED) {
                state = State.STOPPED;
                stopped.countDown();
            }
            if (state == State.RUNNING) state = State.SHUTDOWN_PENDING;
            else {
                awaitStopped();
                return;
            }
        }
        sleep(controller.shutdownPendingPeriod());
        state = State.SHUTTING_DOWN;
        long deadline = System.nanoTime() + controller.shutdownTimeout().toNanos();
        while (!inFlight.isEmpty() && System.nanoTime() < deadline) {
            inFlight.removeIf(t -> t.status().isTerminal());
            sleep(Duration.ofMillis(50));
        }
        for (Task t : inFlight) t.cancel();
        stopServers();  // graceful: waiting requests still answer with the state of their run
    }

    private synchronized void stopServers() {
        state = State.STOPPED;
        try {
            if (webui != null) webui.stop();
            if (api != null) api.stop();
            uploads.close();
            responses.shutdownNow();
            timer.shutdownNow();
            deleteTree(tempDir);
            deleteTree(outputDir);
        } finally {
            stopped.countDown();
        }
    }

    /** Waits until the ports are closed (after {@link #shutdown()} from another thread). */
    public void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isStopped() {
        return state == State.STOPPED;
    }

    /** Stops at once, cancelling the runs in flight (tests; {@link #shutdown()} is the graceful way). */
    @Override
    public void close() {
        if (state == State.STOPPED) return;
        for (Task t : inFlight) t.cancel();  // so requests waiting for them answer now, not after the response drain
        stopServers();
    }

    private static void sleep(Duration d) {
        if (d == null || d.isZero() || d.isNegative()) return;
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------------------------------------- routes

    private Javalin create(boolean page) {
        Javalin app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.http.maxRequestSize = settings.maxRequestBytes();
            cfg.http.prefer405over404 = true;
            cfg.http.disableCompression();  // PNG does not compress; streamed outputs keep their Content-Length
            // a reader slower than this is cut off, so slow downloads cannot hold the response threads
            if (limits.minUploadRate() > 0) cfg.jetty.modifyHttpConfiguration(http -> http.setMinResponseDataRate(limits.minUploadRate()));
            cfg.jetty.threadPool = requestThreads(settings.maxQueuedRuns());
            cfg.bundledPlugins.enableCors(this::cors);
            cfg.jetty.modifyServer(server -> {
                // Jetty's graceful stop: the ports close to new connections, and responses under way (the result of a
                // run that finished during shutdown) are sent in full first
                server.setHandler(new StatisticsHandler());
                server.setStopTimeout(RESPONSE_DRAIN.toMillis());
                server.setErrorHandler(new JsonErrorHandler());
            });
            if (page) {
                ControllerConfig.WebUiConfig ui = controller.webui();
                if (ui != null && "static".equals(ui.driver())) {
                    Path dir = runtime.project().workingDir().resolve(ui.staticDir() == null ? "webui" : ui.staticDir());
                    cfg.staticFiles.add(s -> {
                        s.hostedPath = "/";
                        s.directory = dir.toString();
                        s.location = Location.EXTERNAL;
                    });
                } else {
                    cfg.staticFiles.add(s -> {
                        s.hostedPath = "/";
                        s.directory = "/webui";
                        s.location = Location.CLASSPATH;
                    });
                }
            }
        });
        app.get(base + "/health", this::health);
        app.get(base + "/workflows", this::listWorkflows);
        app.get(base + "/workflows/{workflow_id}/schema", this::workflowSchema);
        app.post(base + "/workflows/runs", this::runWorkflow);
        app.get(base + "/tasks/{task_id}", this::getTask);
        app.post(base + "/tasks/{task_id}/cancel", this::cancelTask);
        if (page) app.get("/config.json", ctx -> json(ctx, 200, Map.of("base_path", base)));
        app.exception(ApiError.class, (e, ctx) -> {
            e.headers().forEach(ctx::header);
            json(ctx, e.status(), Map.of("detail", e.detail()));
        });
        app.exception(TooLargeException.class, (e, ctx) -> json(ctx, 413, Map.of("detail", e.getMessage())));
        app.exception(MemoryBusyException.class, (e, ctx) -> {
            ctx.header("Retry-After", TaskAnswers.RETRY_AFTER);
            json(ctx, 503, Map.of("detail", e.getMessage()));
        });
        app.exception(BadMessageException.class, (e, ctx) -> json(ctx, e.getCode(), Map.of("detail", e.getReason() == null
                ? HttpStatus.getMessage(e.getCode()) : e.getReason())));
        app.exception(HttpResponseException.class, (e, ctx) -> {
            int s = e.getStatus();
            String detail = s == 404 ? "Not Found" : s == 405 ? "Method Not Allowed" : e.getMessage();
            json(ctx, s, Map.of("detail", detail));
        });
        app.exception(Exception.class, (e, ctx) -> json(ctx, 500, Map.of("detail", String.valueOf(e.getMessage() == null ? e.toString()
                : e.getMessage()))));
        return app;
    }

    /** How long stopping waits for responses still being sent once the runs are over. */
    private static final Duration RESPONSE_DRAIN = Duration.ofSeconds(30);
    /** Javalin's default request thread pool: 8 to 250 threads. */
    private static final int MIN_REQUEST_THREADS = 8, DEFAULT_MAX_REQUEST_THREADS = 250;
    /** Threads beyond the accepted runs: Jetty's acceptors and selectors, /health, polls, 429 answers. */
    private static final int SPARE_REQUEST_THREADS = 64;

    /**
     * Each accepted run may hold a request thread while its client waits for the result; the pool has room for all of
     * them and more, so a full queue never starves {@code /health} or the 429 answers.
     */
    private static QueuedThreadPool requestThreads(int maxQueuedRuns) {
        int max = Math.max(DEFAULT_MAX_REQUEST_THREADS, maxQueuedRuns + SPARE_REQUEST_THREADS);
        QueuedThreadPool pool = new QueuedThreadPool(max, MIN_REQUEST_THREADS, 60_000);
        pool.setName("JettyServerThreadPool");
        return pool;
    }

    /**
     * Javalin's CORS plugin (it also answers the preflight OPTIONS of every route). {@code origins: *} sends
     * {@code Access-Control-Allow-Origin: *} without credentials; a list echoes the matching origin with credentials.
     */
    private void cors(io.javalin.plugin.bundled.CorsPluginConfig cors) {
        List<String> origins = adapter.origins().isEmpty() ? List.of("*") : adapter.origins();
        cors.addRule(rule -> {
            rule.maxAge = 600;
            if (origins.contains("*")) {
                rule.anyHost();
                return;
            }
            rule.allowCredentials = true;
            try {
                rule.allowHost(origins.get(0), origins.subList(1, origins.size()).toArray(String[]::new));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("controller.adapter.origins: " + e.getMessage(), e);
            }
        });
    }

    private void health(Context ctx) {
        switch (state) {
            case RUNNING -> json(ctx, 200, Map.of("status", "ok"));
            case SHUTDOWN_PENDING -> json(ctx, 503, Map.of("status", "shutdown_pending"));
            default -> json(ctx, 503, Map.of("status", "shutting_down"));
        }
    }

    private void listWorkflows(Context ctx) {
        boolean schema = queryBool(ctx, "include_schema", false);
        List<Object> out = new ArrayList<>();
        for (WorkflowConfig w : runtime.publicWorkflows()) {
            if (schema) {
                out.add(schemaJson(runtime.schema(w.id())));
            } else {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("workflow_id", w.id());
                if (w.title() != null) e.put("title", w.title());
                if (w.isDefault()) e.put("default", true);
                out.add(e);
            }
        }
        json(ctx, 200, out);
    }

    private void workflowSchema(Context ctx) {
        WorkflowConfig w = publicWorkflow(ctx.pathParam("workflow_id"), "Workflow not found.");
        json(ctx, 200, schemaJson(runtime.schema(w.id())));
    }

    private WorkflowConfig publicWorkflow(String id, String notFound) {
        try {
            WorkflowConfig w = runtime.workflow(id);
            if (w.isPrivate()) throw new ApiError(404, notFound);
            return w;
        } catch (WorkflowNotFoundException e) {
            throw new ApiError(404, notFound);
        }
    }

    static Map<String, Object> schemaJson(WorkflowSchema s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workflow_id", s.workflowId());
        if (s.title() != null) m.put("title", s.title());
        if (s.description() != null) m.put("description", s.description());
        m.put("input", s.input().stream().map(ComposeServer::variableJson).toList());
        m.put("output", s.output().stream().map(ComposeServer::variableJson).toList());
        if (s.isDefault()) m.put("default", true);
        return m;
    }

    private static Map<String, Object> variableJson(WorkflowSchema.Variable v) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (v.name() != null) m.put("name", v.name());
        m.put("type", v.type());
        m.put("is_list", v.isList());
        if (v.subtype() != null) m.put("subtype", v.subtype());
        if (v.format() != null) m.put("format", v.format());
        if (v.defaultValue() != null) m.put("default", v.defaultValue());
        return m;
    }

    // ---------------------------------------------------------------------------------------------- runs

    /** A run request whose body has been read and whose task has been submitted. */
    private record Accepted(Task task, boolean waits, boolean outputOnly, boolean acceptsPng) {}

    /**
     * The body is read on an upload thread ({@link Uploads}), the run admitted by memory ({@link Admission}) and
     * submitted; a waiting request then holds no thread until its run ends, and its answer is written on a response
     * thread.
     */
    private void runWorkflow(Context ctx) {
        String contentType = ctx.header("Content-Type");
        RequestBodies.mediaType(contentType);
        long length = ctx.req().getContentLengthLong();
        if (length > settings.maxRequestBytes()) throw ApiError.tooLarge(settings.maxRequestBytes());
        if (state != State.RUNNING) throw new ApiError(503, "Service is shutting down");
        Uploads.Slot slot = uploads.acquire();
        ctx.future(() -> CompletableFuture.supplyAsync(() -> {
            try {
                return accept(ctx, slot, contentType);
            } catch (OutOfMemoryError e) {
                throw outOfMemory(e);
            }
        }, uploads.readers()).thenCompose(run -> respond(ctx, run)));
    }

    private Accepted accept(Context ctx, Uploads.Slot slot, String contentType) {
        List<Path> temps = new ArrayList<>();
        boolean handedOver = false;
        MemoryBudget.Lease admitted = null;
        try {
            Map<String, Object> body;
            try (slot) {
                RequestBody in = slot.body(ctx);
                try {
                    body = RequestBodies.read(contentType, in, settings, tempDir, temps);
                    in.drain();
                } catch (ApiError e) {
                    if (!in.isFinished()) ctx.header("Connection", "close");
                    throw e;
                }
            }
            String workflowId = body.get("workflow_id") == null ? null : String.valueOf(body.get("workflow_id"));
            WorkflowConfig w;
            try {
                w = runtime.workflow(workflowId);
                if (w.isPrivate()) throw new WorkflowNotFoundException(workflowId, List.of(), null);
            } catch (WorkflowNotFoundException e) {
                throw new ApiError(404, "Workflow '" + (workflowId == null ? "__default__" : workflowId) + "' not found.");
            }
            boolean wait = bool(body.get("wait_for_completion"), true, "wait_for_completion");
            boolean outputOnly = bool(body.get("output_only"), false, "output_only");
            boolean subscribe = bool(body.get("subscribe_task"), false, "subscribe_task");
            if (subscribe && wait) throw new ApiError(400, "subscribe_task=true requires wait_for_completion=false");
            if (outputOnly && !wait) throw new ApiError(400, "output_only=true requires wait_for_completion=true.");
            if (subscribe) throw new ApiError(400, "session_id query parameter required when subscribe_task=true");
            if (state != State.RUNNING) throw new ApiError(503, "Service is shutting down");

            Object input;
            if (body.containsKey("input")) {
                input = body.get("input");
            } else {
                Map<String, Object> rest = new LinkedHashMap<>();
                body.forEach((k, v) -> {
                    if (!RESERVED.contains(k)) rest.put(k, v);
                });
                input = rest;
            }
            checkRequired(w, input);
            WorkflowSchema schema = runtime.schema(w.id());
            HttpInputs.check(schema, input, inputAccess);
            admitted = Admission.admit(runtime, schema, input, inputAccess);

            int max = settings.maxQueuedRuns();
            Task task;
            synchronized (inFlight) {
                inFlight.removeIf(t -> t.status().isTerminal());
                if (max > 0 && inFlight.size() >= max)
                    throw new ApiError(429, "Too many runs queued (" + max + "); retry later", Map.of("Retry-After", "1"));
                task = runtime.submit(w.id(), input, new ComposeRuntime.RunOptions(
                        body.get("session_id") == null ? null : String.valueOf(body.get("session_id")), body.get("metadata"), inputAccess,
                        admitted));
                admitted = null;  // the run owns it now
                inFlight.add(task);
                handedOver = true;
                task.completion().whenComplete((o, e) -> {
                    inFlight.remove(task);
                    temps.forEach(ComposeServer::deleteQuietly);
                });
            }
            String accept = ctx.header("Accept");
            return new Accepted(task, wait, outputOnly, accept != null && accept.toLowerCase(Locale.ROOT).startsWith("image/png"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (admitted != null) admitted.close();
            if (!handedOver) temps.forEach(ComposeServer::deleteQuietly);
        }
    }

    /** Answers at once for an asynchronous run; otherwise when the run ends, cancelling it if the client leaves first. */
    private CompletableFuture<Void> respond(Context ctx, Accepted run) {
        Task task = run.task();
        if (!run.waits()) {
            json(ctx, 200, answers.state(task, true, false));
            return CompletableFuture.completedFuture(null);
        }
        DisconnectWatch watch = limits.cancelOnDisconnect() ? DisconnectWatch.start(ctx, () -> {
            if (task.cancel()) runtime.log("[task-" + task.id() + "] The client disconnected; cancelling.");
        }, timer) : null;
        CompletableFuture<Void> answered = new CompletableFuture<>();
        task.completion().whenComplete((o, e) -> {
            if (watch != null) watch.close();
            answerOn(answered, () -> {
                boolean raw = run.outputOnly() || run.acceptsPng() && task.status() == TaskStatus.COMPLETED && TaskAnswers.isBinary(task.output());
                if (raw) answers.outputOnly(ctx, task);
                else answers.state(ctx, task, true);
            });
        });
        return answered;
    }

    private interface Answer {
        void write() throws IOException;
    }

    /** Writes an answer on a response thread, so that sending a large output holds neither a task thread nor a request thread. */
    private void answerOn(CompletableFuture<Void> answered, Answer answer) {
        try {
            responses.execute(() -> {
                try {
                    answer.write();
                    answered.complete(null);
                } catch (OutOfMemoryError e) {
                    answered.completeExceptionally(outOfMemory(e));
                } catch (Throwable t) {
                    answered.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException stopped) {
            answered.completeExceptionally(new ApiError(503, "Service is shutting down"));
        }
    }

    /** The heap ran out in spite of the budget: a 503 the client may retry, not a bare 500. */
    private static MemoryBusyException outOfMemory(OutOfMemoryError e) {
        return new MemoryBusyException("the server ran out of memory while handling the request; retry shortly", e);
    }

    /** Inputs of file types without a default must be given: 400 naming the field instead of a failed task. */
    private void checkRequired(WorkflowConfig w, Object input) {
        WorkflowSchema schema = runtime.schema(w.id());
        for (WorkflowSchema.Variable v : schema.input()) {
            if (v.name() == null || v.defaultValue() != null || !FILE_TYPES.contains(v.type())) continue;
            Object value = input instanceof Map<?, ?> m ? m.get(v.name()) : null;
            if (value == null || value instanceof String s && s.isEmpty())
                throw new ApiError(400, "Missing required input field '" + v.name() + "' (type " + v.type() + "): send it as input."
                        + v.name() + " (multipart: -F \"" + v.name() + "=@file\" or -F \"input[" + v.name() + "]=@file\")");
        }
    }

    /**
     * The task's state; {@code ?output_only=true} the output itself. The state carries the output inline when it is
     * small ({@code inline_output_limit}) or {@code include_output=true} asks for it, else only {@code output_url}.
     */
    private void getTask(Context ctx) {
        Task task = runtime.task(ctx.pathParam("task_id")).orElseThrow(() -> new ApiError(404, "Task not found."));
        boolean outputOnly = queryBool(ctx, "output_only", false);
        String include = ctx.queryParam("include_output");
        boolean inline = include == null || include.isBlank() ? TaskJson.binaryBytes(task.output()) <= limits.inlineOutputLimit()
                : queryBool(ctx, "include_output", false);
        ctx.future(() -> {
            CompletableFuture<Void> answered = new CompletableFuture<>();
            answerOn(answered, () -> {
                if (outputOnly) answers.outputOnly(ctx, task);
                else answers.state(ctx, task, inline);
            });
            return answered;
        });
    }

    private void cancelTask(Context ctx) {
        Task task = runtime.task(ctx.pathParam("task_id")).orElseThrow(() -> new ApiError(404, "Task not found."));
        boolean wait = queryBool(ctx, "wait_for_completion", true);
        if (!task.cancel()) throw new ApiError(409, "Task '" + task.id() + "' is already " + task.status().wireName() + ".");
        if (!wait) {
            json(ctx, 200, answers.state(task, false, false));
            return;
        }
        ctx.future(() -> task.completion().handle((o, e) -> (Void) null)
                .completeOnTimeout(null, controller.shutdownTimeout().toMillis() + 30_000, TimeUnit.MILLISECONDS)
                .thenAccept(x -> json(ctx, 200, answers.state(task, false, false))));
    }

    static boolean bool(Object v, boolean dflt, String field) {
        if (v == null) return dflt;
        if (v instanceof Boolean b) return b;
        String s = String.valueOf(v).strip().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            case "" -> dflt;
            default -> throw new ApiError(400, "Invalid request body: " + field + " must be a boolean, got '" + v + "'");
        };
    }

    /** A boolean query parameter: a bad value is a 422 validation error (FastAPI's shape). */
    static boolean queryBool(Context ctx, String name, boolean dflt) {
        String v = ctx.queryParam(name);
        try {
            return bool(v, dflt, name);
        } catch (ApiError e) {
            throw ApiError.validation("query", name, "Input should be a valid boolean, unable to interpret input", "bool_parsing");
        }
    }

    static void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temp file
        }
    }

    private static void deleteTree(Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(ComposeServer::deleteQuietly);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
