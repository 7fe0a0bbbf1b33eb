package dev.modelcompose.runtime;

import dev.modelcompose.compose.ComponentConfig;
import dev.modelcompose.compose.ComposeConfig;
import dev.modelcompose.compose.ComposeLoader;
import dev.modelcompose.compose.ComposeProject;
import dev.modelcompose.compose.ImageUpscaleConfig;
import dev.modelcompose.compose.JobConfig;
import dev.modelcompose.compose.UnsupportedComponentConfig;
import dev.modelcompose.compose.WorkflowConfig;
import dev.modelcompose.expr.InputAccess;
import dev.modelcompose.expr.RenderContext;
import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.memory.MemoryAccount;
import dev.modelcompose.memory.MemoryBudget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-process engine behind {@code run}, and later the HTTP API and the web page: workflows, components, tasks and
 * the controller's queue.
 *
 * <pre>{@code
 * try (ComposeRuntime rt = ComposeRuntime.create(ComposeLoader.load(ComposeLoader.Options.in(dir)), RuntimeOptions.defaults())) {
 *     Task task = rt.submit(null, Map.of("image", upload));   // null = the default workflow
 *     Object output = task.await();                              // a BufferedImage for the example
 * }
 * }</pre>
 *
 * <p>Components are created on first use (or by {@link #start()}), once per process, and shared by all tasks.
 * Tasks run on the controller's executor: every task at once when {@code controller.max_concurrent_count} is 0,
 * else N at a time in arrival order. Finished tasks are kept for {@link #TASK_RETENTION} for {@link #task(String)}, within
 * a memory budget ({@link #retainOutputsUpTo}).
 */
public final class ComposeRuntime implements AutoCloseable {
    public static final Duration TASK_RETENTION = Duration.ofHours(1);

    private final ComposeProject project;
    private final ComposeConfig config;
    private final RuntimeOptions options;
    private final RenderContext.Options renderOptions;
    private final Map<String, WorkflowRunner.CompiledWorkflow> workflows = new LinkedHashMap<>();
    private final Map<String, ComponentInstance> components = new ConcurrentHashMap<>();
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final FinishedTasks finished = new FinishedTasks(Runtime.getRuntime().maxMemory() / 4);
    /** Unlimited for the command line; a server sizes it ({@code memory_budget}). */
    private final MemoryBudget memory = new MemoryBudget(Long.MAX_VALUE);
    private volatile long maxImagePixels = ImageFiles.DEFAULT_MAX_PIXELS;
    private volatile OutputStore outputStore;
    private final ExecutorService taskThreads;
    private final ExecutorService jobThreads;
    private final WorkflowRunner runner;
    private volatile boolean closed;

    private ComposeRuntime(ComposeProject project, RuntimeOptions options) {
        this.project = project;
        this.config = project.config();
        this.options = options;
        this.renderOptions = new RenderContext.Options(options.allowLocalPaths(), project.workingDir(), options.inputAccess());
        for (WorkflowConfig w : config.workflows()) workflows.put(w.id(), WorkflowRunner.CompiledWorkflow.of(w));
        int max = config.controller().maxConcurrentCount();
        this.taskThreads = max > 0
                ? new ThreadPoolExecutor(max, max, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads("task"))
                : Executors.newCachedThreadPool(threads("task"));
        this.jobThreads = Executors.newCachedThreadPool(threads("job"));
        this.runner = new WorkflowRunner(this, jobThreads);
    }

    public static ComposeRuntime create(ComposeProject project, RuntimeOptions options) {
        return new ComposeRuntime(project, options);
    }

    /** Loads the compose files and creates the runtime in one step. */
    public static ComposeRuntime load(ComposeLoader.Options load, RuntimeOptions options) {
        return create(ComposeLoader.load(load), options);
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public ComposeProject project() {
        return project;
    }

    public ComposeConfig config() {
        return config;
    }

    /** A line for the log ({@code INFO:     } prefixed), as runs write theirs. */
    public void log(String line) {
        options.log().accept("INFO:     " + line);
    }

    // ---------------------------------------------------------------------------------------------- workflows

    /** Every workflow, private ones included, in file order. */
    public List<WorkflowConfig> workflows() {
        return config.workflows();
    }

    /** The workflows the API and the web page list: not private. */
    public List<WorkflowConfig> publicWorkflows() {
        return config.workflows().stream().filter(w -> !w.isPrivate()).toList();
    }

    /**
     * The workflow {@code id} names. Null or {@code __default__}: the only workflow, else the one with
     * {@code default: true}. An id that matches no workflow also finds a workflow without an explicit id when it is the
     * project's name (the compose file's directory, e.g. {@code image-upscale}) or the workflow's title in kebab case
     * ({@code upscale-image}): so the README's {@code model-compose run image-upscale} runs the example's one workflow.
     *
     * @throws WorkflowNotFoundException {@code Workflow not found: x (available: ...)}
     */
    public WorkflowConfig workflow(String id) {
        List<WorkflowConfig> all = config.workflows();
        Optional<WorkflowConfig> found = Lookup.find(all, id, WorkflowConfig::id, WorkflowConfig::isDefault);
        if (found.isEmpty() && id != null && !Lookup.DEFAULT.equals(id)) {
            List<WorkflowConfig> implicit = all.stream().filter(w -> !w.explicitId()).toList();
            found = implicit.stream().filter(w -> id.equals(slug(w.title())) || id.equals(slug(w.name()))).findFirst();
            if (found.isEmpty() && id.equals(project.projectName()) || found.isEmpty() && id.equals(config.controller().name()))
                found = Lookup.find(implicit.size() == 1 ? implicit : all, null, WorkflowConfig::id, WorkflowConfig::isDefault)
                        .filter(w -> !w.explicitId());
        }
        if (found.isEmpty())
            throw new WorkflowNotFoundException(id == null ? Lookup.DEFAULT : id, all.stream().map(WorkflowConfig::id).toList(),
                    Lookup.why(all, id, "workflow"));
        return found.get();
    }

    /** The inferred input and output variables of a workflow (§2.6). @throws WorkflowNotFoundException */
    public WorkflowSchema schema(String workflowId) {
        return WorkflowSchema.of(workflow(workflowId), config);
    }

    private static String slug(String s) {
        if (s == null) return null;
        return s.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }

    // ---------------------------------------------------------------------------------------------- tasks

    /**
     * Options of one run.
     *
     * @param metadata    echoed back in the task state
     * @param inputAccess what its {@code ;path} and {@code ;url} inputs may reach; null = the runtime's
     *                    {@link RuntimeOptions#inputAccess()}
     * @param prepaid     memory reserved from {@link #memoryBudget()} for the run before it was submitted (what
     *                    the HTTP layer admits from the image headers), or null; the run owns it from then on
     */
    public record RunOptions(String sessionId, Object metadata, InputAccess inputAccess, MemoryBudget.Lease prepaid) {
        public RunOptions(String sessionId, Object metadata, InputAccess inputAccess) {
            this(sessionId, metadata, inputAccess, null);
        }

        public RunOptions(String sessionId, Object metadata) {
            this(sessionId, metadata, null);
        }

        public static RunOptions none() {
            return new RunOptions(null, null);
        }
    }

    /**
     * Queues a run of a workflow and returns at once.
     *
     * @param workflowId null for the default workflow
     * @param input      the workflow input: plain JSON values, {@link dev.modelcompose.expr.ByteSource} uploads,
     *                   images
     * @throws WorkflowNotFoundException before anything is queued
     */
    public Task submit(String workflowId, Object input, RunOptions run) {
        MemoryAccount account = new MemoryAccount(memory);
        if (run.prepaid() != null) account.prepay(run.prepaid());
        try {
            if (closed) throw new WorkflowException("the runtime is shut down");
            WorkflowRunner.CompiledWorkflow wf = workflows.get(workflow(workflowId).id());
            purgeTasks();
            Task task = new Task(Ulid.next(), wf.config().id(), run.sessionId(), run.metadata());
            tasks.put(task.id(), task);
            task.completion().whenComplete((output, failure) -> {
                account.close();
                finished.add(task);
                purgeTasks();
            });
            RenderContext.Options render = (run.inputAccess() == null ? renderOptions : renderOptions.withAccess(run.inputAccess()))
                    .withMemory(account, maxImagePixels);
            task.execution(taskThreads.submit(() -> execute(task, wf, input, render)));
            return task;
        } catch (RuntimeException | Error e) {
            account.close();
            throw e;
        }
    }

    public Task submit(String workflowId, Object input) {
        return submit(workflowId, input, RunOptions.none());
    }

    /**
     * Runs a workflow and waits for its output.
     *
     * @throws WorkflowException when it fails (the one-line reason is the message)
     */
    public Object run(String workflowId, Object input) throws InterruptedException {
        Task task = submit(workflowId, input);
        try {
            return task.await();
        } catch (InterruptedException e) {
            task.cancel();
            throw e;
        }
    }

    private void execute(Task task, WorkflowRunner.CompiledWorkflow wf, Object input, RenderContext.Options render) {
        if (!task.begin()) return;
        log("[task-" + task.id() + "] Workflow '" + wf.config().id() + "' started.");
        try {
            Object out = runner.run(wf, input, task, render);
            OutputStore store = outputStore;
            if (store != null) out = store.keep(out);
            task.finish(TaskStatus.COMPLETED, out, null);
            log("[task-" + task.id() + "] Workflow '" + wf.config().id() + "' completed.");
        } catch (TaskCancelledException e) {
            task.finish(TaskStatus.CANCELLED, null, e);
            log("[task-" + task.id() + "] Workflow '" + wf.config().id() + "' cancelled.");
        } catch (RuntimeException | Error e) {
            Throwable failure = e instanceof WorkflowException ? e : new WorkflowException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
            task.finish(TaskStatus.FAILED, null, failure);
            log("[task-" + task.id() + "] Workflow '" + wf.config().id() + "' failed: " + failure.getMessage());
        }
    }

    /** A task by id while it runs and for {@link #TASK_RETENTION} after it finished. */
    public Optional<Task> task(String id) {
        purgeTasks();
        return Optional.ofNullable(tasks.get(id));
    }

    private void purgeTasks() {
        for (Task t : finished.evict(Instant.now().minus(TASK_RETENTION))) tasks.remove(t.id());
    }

    /**
     * The most output bytes held in memory (images at 4 bytes a pixel, or their stored encoding) that finished tasks
     * keep for {@link #task(String)} in all; past it the oldest move to disk ({@link #storeOutputs}) or are forgotten
     * before their {@link #TASK_RETENTION}. Default: a quarter of the maximum heap.
     */
    public void retainOutputsUpTo(long bytes) {
        finished.budget(bytes);
    }

    /**
     * Keeps each task's output as the server serves it: images encoded once as PNG, files and bytes copied, in memory
     * up to {@code memoryBytes} for all finished tasks together and in files of {@code store}'s directory up to
     * {@code diskBytes} (the oldest are forgotten first). Without this (the command line), outputs stay as they are.
     */
    public void storeOutputs(OutputStore store, long memoryBytes, long diskBytes) {
        outputStore = store;
        finished.budget(memoryBytes);
        finished.spillTo(store.dir(), diskBytes);
    }

    /** What runs in flight reserve their images' memory from: unlimited unless resized (as a server does). */
    public MemoryBudget memoryBudget() {
        return memory;
    }

    /** Input images with more pixels are refused before they are decoded (default {@link ImageFiles#DEFAULT_MAX_PIXELS}). */
    public void limitImagePixels(long pixels) {
        if (pixels <= 0) throw new IllegalArgumentException("the pixel limit must be positive, not " + pixels);
        maxImagePixels = pixels;
    }

    public long maxImagePixels() {
        return maxImagePixels;
    }

    /**
     * The largest factor the workflow's upscale components enlarge by: the loaded model's scale, else the compose
     * file's {@code scale}, else 4 (the largest Real-ESRGAN scale). Lets the HTTP layer estimate a run's memory from the
     * image headers before anything is decoded.
     */
    public int upscaleFactor(String workflowId) {
        int factor = 1;
        for (JobConfig j : workflow(workflowId).jobs()) {
            ComponentConfig c = j.inlineComponent() != null ? j.inlineComponent()
                    : Lookup.find(config.components(), j.componentId(), ComponentConfig::id, ComponentConfig::isDefault).orElse(null);
            if (!(c instanceof ImageUpscaleConfig u)) continue;
            ComponentInstance loaded = j.inlineComponent() == null ? components.get(c.id()) : null;
            Integer scale = loaded instanceof ImageUpscaleComponent iu ? iu.loadedScale() : null;
            if (scale == null) scale = u.scale();
            factor = Math.max(factor, scale == null ? 4 : scale);
        }
        return factor;
    }

    // ---------------------------------------------------------------------------------------------- components

    /**
     * Creates every component that a workflow uses and loads the models of those with {@code preload: true} (what
     * {@code up} does before it opens its ports).
     */
    public void start() {
        for (ComponentConfig c : config.components()) {
            if (c instanceof ImageUpscaleConfig u && u.preload()) component(c.id()).start();
        }
    }

    ComponentInstance componentFor(JobConfig job) {
        if (job.inlineComponent() != null) {
            String key = "inline:" + job.id() + ":" + System.identityHashCode(job);
            return components.computeIfAbsent(key, k -> instantiate(job.inlineComponent()));
        }
        return component(job.componentId());
    }

    private ComponentInstance component(String id) {
        ComponentConfig c = Lookup.find(config.components(), id, ComponentConfig::id, ComponentConfig::isDefault).orElseThrow(() -> {
            String why = Lookup.why(config.components(), id, "component");
            return new WorkflowException("Component not found: " + id + (why == null ? "" : " (" + why + ")"));
        });
        ComponentInstance existing = components.get(c.id());
        if (existing != null) return existing;
        synchronized (components) {
            return components.computeIfAbsent(c.id(), k -> instantiate(c));
        }
    }

    private ComponentInstance instantiate(ComponentConfig c) {
        if (closed) throw new WorkflowException("the runtime is shut down");
        if (c instanceof ImageUpscaleConfig u) return new ImageUpscaleComponent(u, options, renderOptions);
        UnsupportedComponentConfig un = (UnsupportedComponentConfig) c;
        return new ComponentInstance() {
            @Override
            public String id() {
                return un.id();
            }

            @Override
            public void start() {}

            @Override
            public Object run(String actionId, Object input, RunContext run) {
                throw new WorkflowException("component '" + un.id() + "': " + un.detail() + " is not supported by this implementation "
                        + "(only type: model with task: image-upscale)");
            }

            @Override
            public void close() {}
        };
    }

    // ---------------------------------------------------------------------------------------------- checks

    /**
     * Problems that loading does not catch: references to components, actions and jobs that do not exist, depends_on
     * cycles, devices this build cannot use. Empty when the config can run.
     */
    public static List<String> check(ComposeConfig config) {
        List<String> problems = new ArrayList<>();
        List<ComponentConfig> components = config.components();
        for (int ci = 0; ci < components.size(); ci++) {
            if (components.get(ci) instanceof ImageUpscaleConfig u) {
                try {
                    ImageUpscaleComponent.devices(u.device());
                } catch (WorkflowException e) {
                    problems.add("components[" + ci + "].device: " + e.getMessage());
                }
            }
        }
        for (int wi = 0; wi < config.workflows().size(); wi++) {
            WorkflowConfig w = config.workflows().get(wi);
            Set<String> jobIds = new HashSet<>();
            w.jobs().forEach(j -> jobIds.add(j.id()));
            for (int ji = 0; ji < w.jobs().size(); ji++) {
                JobConfig j = w.jobs().get(ji);
                String at = "workflows[" + wi + "].jobs[" + ji + "]";
                ComponentConfig c = j.inlineComponent();
                if (c == null) {
                    Optional<ComponentConfig> found = Lookup.find(components, j.componentId(), ComponentConfig::id, ComponentConfig::isDefault);
                    if (found.isEmpty()) {
                        String why = Lookup.why(components, j.componentId(), "component");
                        problems.add(at + ".component: component '" + j.componentId() + "' not found" + (why == null ? "" : " (" + why + ")"));
                        continue;
                    }
                    c = found.get();
                } else if (c instanceof ImageUpscaleConfig u) {
                    try {
                        ImageUpscaleComponent.devices(u.device());
                    } catch (WorkflowException e) {
                        problems.add(at + ".component.device: " + e.getMessage());
                    }
                }
                if (c instanceof UnsupportedComponentConfig un) {
                    problems.add(at + ".component: component '" + un.id() + "' has " + un.detail() + ", which this implementation does not run");
                } else if (Lookup.find(c.actions(), j.action(), ComponentConfig.ActionConfig::id, ComponentConfig.ActionConfig::isDefault).isEmpty()) {
                    String why = Lookup.why(c.actions(), j.action(), "action");
                    problems.add(at + ".action: action '" + j.action() + "' not found in component '" + c.id() + "'" + (why == null ? "" : " (" + why + ")"));
                }
                for (List<String> group : j.dependsOn())
                    for (String dep : group)
                        if (!jobIds.contains(dep)) problems.add(at + ".depends_on: no job '" + dep + "' in workflow '" + w.id() + "'");
            }
            if (hasCycle(w)) problems.add("workflows[" + wi + "]: depends_on forms a cycle");
        }
        return problems;
    }

    private static boolean hasCycle(WorkflowConfig w) {
        Map<String, List<String>> deps = new HashMap<>();
        for (JobConfig j : w.jobs()) {
            List<String> all = new ArrayList<>();
            j.dependsOn().forEach(all::addAll);
            deps.put(j.id(), all);
        }
        Map<String, Integer> state = new HashMap<>();
        for (String id : deps.keySet()) if (visit(id, deps, state)) return true;
        return false;
    }

    private static boolean visit(String id, Map<String, List<String>> deps, Map<String, Integer> state) {
        Integer s = state.get(id);
        if (s != null) return s == 1;
        state.put(id, 1);
        for (String d : deps.getOrDefault(id, List.of())) if (deps.containsKey(d) && visit(d, deps, state)) return true;
        state.put(id, 2);
        return false;
    }

    // ---------------------------------------------------------------------------------------------- shutdown

    /** Cancels what still runs, stops the threads and frees the models. */
    @Override
    public void close() {
        closed = true;
        for (Task t : tasks.values()) t.cancel();
        taskThreads.shutdownNow();
        jobThreads.shutdownNow();
        try {
            taskThreads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (components) {
            for (ComponentInstance c : components.values()) {
                try {
                    c.close();
                } catch (RuntimeException ignored) {
                    // closing the others matters more
                }
            }
            components.clear();
        }
    }
}
