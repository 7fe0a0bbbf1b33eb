package dev.modelcompose.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelcompose.compose.ControllerConfig;
import dev.modelcompose.compose.WorkflowConfig;
import dev.modelcompose.expr.ByteSource;
import dev.modelcompose.expr.ExpressionException;
import dev.modelcompose.expr.InputAccess;
import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.imaging.ImageReadException;
import dev.modelcompose.runtime.ComposeRuntime;
import dev.modelcompose.runtime.Task;
import dev.modelcompose.runtime.TaskStatus;
import dev.modelcompose.runtime.WorkflowNotFoundException;
import dev.modelcompose.runtime.WorkflowSchema;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
    private final InputAccess inputAccess;
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
        try {
            this.tempDir = settings.tempDir() != null ? Files.createDirectories(settings.tempDir()) : Files.createTempDirectory("model-compose-uploads");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for uploads: " + e.getMessage(), e);
        }
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
            deleteTree(tempDir);
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
        app.exception(HttpResponseException.class, (e, ctx) -> {
            int s = e.getStatus();
            String detail = s == 404 ? "Not Found" : s == 405 ? "Method Not Allowed" : s == 413 ? "Request body too large" : e.getMessage();
            json(ctx, s, Map.of("detail", detail));
        });
        app.exception(Exception.class, (e, ctx) -> {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            if (root instanceof IllegalStateException && String.valueOf(root.getMessage()).toLowerCase(Locale.ROOT).contains("exceed")) {
                json(ctx, 413, Map.of("detail", "Request body too large: " + root.getMessage()));
                return;
            }
            json(ctx, 500, Map.of("detail", String.valueOf(e.getMessage() == null ? e.toString() : e.getMessage())));
        });
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

    private void runWorkflow(Context ctx) throws Exception {
        List<Path> temps = new ArrayList<>();
        boolean handedOver = false;
        try {
            Map<String, Object> body = RequestBodies.read(ctx, settings, tempDir, temps);
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
            HttpInputs.check(runtime.schema(w.id()), input, inputAccess);

            int max = settings.maxQueuedRuns();
            synchronized (inFlight) {
                inFlight.removeIf(t -> t.status().isTerminal());
                if (max > 0 && inFlight.size() >= max)
                    throw new ApiError(429, "Too many runs queued (" + max + "); retry later", Map.of("Retry-After", "1"));
                Task task = runtime.submit(w.id(), input, new ComposeRuntime.RunOptions(
                        body.get("session_id") == null ? null : String.valueOf(body.get("session_id")), body.get("metadata"), inputAccess));
                inFlight.add(task);
                handedOver = true;
                task.completion().whenComplete((o, e) -> {
                    inFlight.remove(task);
                    temps.forEach(ComposeServer::deleteQuietly);
                });
                ctx.attribute("task", task);
            }
            Task task = ctx.attribute("task");
            if (!wait) {
                json(ctx, 200, state(task, true));
                return;
            }
            try {
                task.await(Long.MAX_VALUE, TimeUnit.DAYS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiError(503, "Service is shutting down");
            }
            String accept = ctx.header("Accept");
            boolean raw = outputOnly || accept != null && accept.toLowerCase(Locale.ROOT).startsWith("image/png") && task.status() == TaskStatus.COMPLETED
                    && isBinary(task.output());
            if (raw) renderOutputOnly(ctx, task);
            else json(ctx, 200, state(task, false));
        } finally {
            if (!handedOver) temps.forEach(ComposeServer::deleteQuietly);
        }
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

    private void getTask(Context ctx) throws Exception {
        Task task = runtime.task(ctx.pathParam("task_id")).orElseThrow(() -> new ApiError(404, "Task not found."));
        if (queryBool(ctx, "output_only", false)) renderOutputOnly(ctx, task);
        else json(ctx, 200, state(task, false));
    }

    private void cancelTask(Context ctx) throws Exception {
        Task task = runtime.task(ctx.pathParam("task_id")).orElseThrow(() -> new ApiError(404, "Task not found."));
        boolean wait = queryBool(ctx, "wait_for_completion", true);
        if (!task.cancel()) throw new ApiError(409, "Task '" + task.id() + "' is already " + task.status().wireName() + ".");
        if (wait) task.await(controller.shutdownTimeout().toMillis() + 30_000, TimeUnit.MILLISECONDS);
        json(ctx, 200, state(task, false));
    }

    /** 422 when the run failed on its input (an image that does not decode, a value that does not convert), else 500. */
    private static int failureStatus(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause())
            if (t instanceof ImageReadException || t instanceof ExpressionException) return 422;
        return 500;
    }

    private void renderOutputOnly(Context ctx, Task task) throws IOException {
        switch (task.status()) {
            case CANCELLED -> json(ctx, 409, state(task, false));
            case FAILED -> json(ctx, failureStatus(task.failure()), Map.of("detail", task.error() == null ? "failed" : task.error()));
            case COMPLETED -> {
                Object out = task.output();
                ctx.status(200);
                ctx.header("Cache-Control", "no-cache");
                if (out instanceof BufferedImage img) {
                    ctx.contentType("image/png");
                    ctx.result(ImageFiles.encode(img, ImageFormat.PNG));
                } else if (out instanceof ByteSource b) {
                    ctx.contentType(b.mediaType());
                    if (b.filename() != null) ctx.header("Content-Disposition", "attachment; filename=\"" + b.filename().replace("\"", "") + "\"");
                    ctx.result(b.bytes());
                } else if (out instanceof byte[] bytes) {
                    ctx.contentType("application/octet-stream");
                    ctx.result(bytes);
                } else {
                    json(ctx, 200, encodeOutput(out));
                }
            }
            default -> json(ctx, 202, state(task, false));
        }
    }

    private static boolean isBinary(Object o) {
        return o instanceof BufferedImage || o instanceof ByteSource || o instanceof byte[];
    }

    /** Task state JSON (contract 3.4), null fields omitted; images and bytes in the output as base64. */
    private Map<String, Object> state(Task task, boolean submitted) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task_id", task.id());
        m.put("status", submitted ? "pending" : task.status().wireName());
        m.put("workflow_id", task.workflowId());
        if (!submitted && task.status() == TaskStatus.COMPLETED && task.output() != null) m.put("output", encodeOutput(task.output()));
        if (!submitted && task.error() != null) m.put("error", task.error());
        if (task.sessionId() != null) m.put("session_id", task.sessionId());
        if (task.metadata() != null) m.put("metadata", task.metadata());
        return m;
    }

    static Object encodeOutput(Object o) {
        try {
            if (o instanceof BufferedImage img) return Base64.getEncoder().encodeToString(ImageFiles.encode(img, ImageFormat.PNG));
            if (o instanceof ByteSource b) return Base64.getEncoder().encodeToString(b.bytes());
            if (o instanceof byte[] b) return Base64.getEncoder().encodeToString(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (o instanceof Map<?, ?> map) {
            Map<String, Object> m = new LinkedHashMap<>();
            map.forEach((k, v) -> m.put(String.valueOf(k), encodeOutput(v)));
            return m;
        }
        if (o instanceof List<?> list) return list.stream().map(ComposeServer::encodeOutput).toList();
        return o;
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
