package dev.modelcompose.runtime;

import dev.modelcompose.compose.JobConfig;
import dev.modelcompose.compose.WorkflowConfig;
import dev.modelcompose.expr.ExpressionException;
import dev.modelcompose.expr.PythonText;
import dev.modelcompose.expr.RenderContext;
import dev.modelcompose.expr.Template;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Runs one workflow: jobs start when their {@code depends_on} are done (independent jobs run at the same time), each
 * renders its input, runs its component's action (N times with {@code repeat_count}), and maps the result through its
 * output. The workflow's output is its {@code output} template, else the terminal jobs' outputs (dicts merged).
 */
final class WorkflowRunner {
    /** A workflow with its templates compiled. */
    record CompiledWorkflow(WorkflowConfig config, Template output, List<CompiledJob> jobs, List<String> terminalJobs) {
        static CompiledWorkflow of(WorkflowConfig w) {
            List<CompiledJob> jobs = new ArrayList<>();
            Set<String> dependedOn = new HashSet<>();
            for (JobConfig j : w.jobs()) {
                jobs.add(new CompiledJob(j, falsy(j.input()) ? null : Template.compile(j.input()),
                        j.output() == null ? null : Template.compile(j.output()), Template.compile(j.repeatCount()),
                        j.onError() == null || j.onError().output() == null ? null : Template.compile(j.onError().output())));
                j.dependsOn().forEach(dependedOn::addAll);
            }
            List<String> terminal = w.jobs().stream().map(JobConfig::id).filter(id -> !dependedOn.contains(id)).toList();
            return new CompiledWorkflow(w, w.output() == null ? null : Template.compile(w.output()), jobs, terminal);
        }
    }

    /** Python's falsiness of a config value: an absent, empty or false input means "the whole workflow input". */
    private static boolean falsy(Object v) {
        return v == null || "".equals(v) || Boolean.FALSE.equals(v) || v instanceof Map<?, ?> m && m.isEmpty()
                || v instanceof List<?> l && l.isEmpty();
    }

    record CompiledJob(JobConfig config, Template input, Template output, Template repeatCount, Template onErrorOutput) {}

    private final ComposeRuntime runtime;
    private final ExecutorService jobThreads;

    WorkflowRunner(ComposeRuntime runtime, ExecutorService jobThreads) {
        this.runtime = runtime;
        this.jobThreads = jobThreads;
    }

    Object run(CompiledWorkflow wf, Object input, Task task, RenderContext.Options renderOptions) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("task_id", task.id());
        if (task.sessionId() != null) context.put("session_id", task.sessionId());
        if (task.metadata() != null) context.put("metadata", task.metadata());
        Map<String, Object> jobOutputs = new ConcurrentHashMap<>();
        Map<String, Object> results = new LinkedHashMap<>();  // job id -> output (nullable)
        Set<String> done = new HashSet<>();
        Set<String> running = new HashSet<>();
        CompletionService<Object[]> completions = new ExecutorCompletionService<>(jobThreads);
        List<Future<Object[]>> futures = new ArrayList<>();
        try {
            while (done.size() < wf.jobs().size()) {
                task.cancellation().throwIfCancelled();
                List<CompiledJob> ready = new ArrayList<>();
                for (CompiledJob j : wf.jobs()) {
                    String id = j.config().id();
                    if (done.contains(id) || running.contains(id)) continue;
                    if (j.config().dependsOn().stream().allMatch(group -> group.stream().anyMatch(done::contains))) ready.add(j);
                }
                if (ready.isEmpty() && running.isEmpty())
                    throw new WorkflowException("workflow '" + wf.config().id() + "': jobs wait on each other (a depends_on cycle)");
                if (ready.size() == 1 && running.isEmpty()) {
                    // The common case: run in this thread.
                    CompiledJob j = ready.get(0);
                    Object out = runJob(j, snapshot(input, jobOutputs, context, renderOptions), task);
                    record(j.config().id(), out, jobOutputs, results, done);
                    continue;
                }
                for (CompiledJob j : ready) {
                    RenderContext ctx = snapshot(input, jobOutputs, context, renderOptions);
                    running.add(j.config().id());
                    futures.add(completions.submit(() -> new Object[] {j.config().id(), runJob(j, ctx, task)}));
                }
                Object[] finished;
                try {
                    finished = completions.take().get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) throw r;
                    throw new WorkflowException(String.valueOf(cause), cause);
                }
                running.remove((String) finished[0]);
                record((String) finished[0], finished[1], jobOutputs, results, done);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskCancelledException();
        } finally {
            for (Future<Object[]> f : futures) f.cancel(true);
        }
        RenderContext ctx = snapshot(input, jobOutputs, context, renderOptions);
        if (wf.output() != null) {
            try {
                return wf.output().render(ctx);
            } catch (ExpressionException e) {
                throw new WorkflowException(e.getMessage(), e);
            }
        }
        List<Object> terminal = wf.terminalJobs().stream().map(results::get).toList();
        if (terminal.size() == 1) return terminal.get(0);
        if (terminal.stream().allMatch(o -> o instanceof Map)) {
            Map<String, Object> merged = new LinkedHashMap<>();
            for (Object o : terminal) ((Map<?, ?>) o).forEach((k, v) -> merged.put(String.valueOf(k), v));
            return merged;
        }
        return terminal.isEmpty() ? null : terminal.get(terminal.size() - 1);
    }

    private static void record(String id, Object out, Map<String, Object> jobOutputs, Map<String, Object> results, Set<String> done) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("output", out);
        jobOutputs.put(id, entry);
        results.put(id, out);
        done.add(id);
    }

    private static RenderContext snapshot(Object input, Map<String, Object> jobOutputs, Map<String, Object> context,
                                          RenderContext.Options options) {
        return RenderContext.of(options).with("input", input).with("jobs", new LinkedHashMap<>(jobOutputs)).with("context", context);
    }

    private Object runJob(CompiledJob j, RenderContext ctx, Task task) {
        JobConfig c = j.config();
        int attempts = c.retry() == null ? 1 : Math.max(1, c.retry().maxAttemptCount());
        RuntimeException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            task.cancellation().throwIfCancelled();
            try {
                return runJobOnce(j, ctx, task);
            } catch (TaskCancelledException e) {
                throw e;
            } catch (RuntimeException e) {
                last = e instanceof ExpressionException ? new WorkflowException(e.getMessage(), e) : e;
                if (attempt < attempts) {
                    long delay = c.retry().delay().toMillis();
                    if ("exponential".equals(c.retry().backoff())) delay = delay << Math.min(20, attempt - 1);
                    if (c.retry().maxDelay() != null) delay = Math.min(delay, c.retry().maxDelay().toMillis());
                    runtime.log("[task-" + task.id() + "] Job '" + c.id() + "' failed (" + e.getMessage() + "); retrying");
                    try {
                        Thread.sleep(delay);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new TaskCancelledException();
                    }
                }
            }
        }
        if (c.onError() != null) {
            if (c.onError().ignore()) return null;
            if (j.onErrorOutput() != null)
                return j.onErrorOutput().render(ctx.with("error", Map.of("message", String.valueOf(last.getMessage()))));
        }
        throw last;
    }

    private Object runJobOnce(CompiledJob j, RenderContext ctx, Task task) {
        JobConfig c = j.config();
        Object jobInput = j.input() == null ? ctx.source("input") : j.input().render(ctx);
        int repeat = repeatCount(j, ctx);
        ComponentInstance component = runtime.componentFor(c);
        runtime.log("[task-" + task.id() + "] Job '" + c.id() + "' started.");
        Object out;
        if (repeat == 1) {
            out = runOnce(j, component, jobInput, ctx, task);
        } else {
            List<Future<Object>> runs = new ArrayList<>();
            Object in = jobInput;
            for (int i = 0; i < repeat; i++) runs.add(jobThreads.submit(() -> runOnce(j, component, in, ctx, task)));
            List<Object> outs = new ArrayList<>();
            try {
                for (Future<Object> f : runs) outs.add(f.get());
            } catch (ExecutionException e) {
                runs.forEach(f -> f.cancel(true));
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw new WorkflowException(String.valueOf(e.getCause()), e.getCause());
            } catch (InterruptedException e) {
                runs.forEach(f -> f.cancel(true));
                Thread.currentThread().interrupt();
                throw new TaskCancelledException();
            }
            out = outs;
        }
        runtime.log("[task-" + task.id() + "] Job '" + c.id() + "' completed.");
        return out;
    }

    private Object runOnce(CompiledJob j, ComponentInstance component, Object jobInput, RenderContext ctx, Task task) {
        Object result = component.run(j.config().action(), jobInput, new RunContext(task.id(), Ulid.next(), task.cancellation(), runtime::log, ctx.options()));
        if (j.output() == null || j.output().isBare("output")) return result;
        try {
            return j.output().render(ctx.with("output", result));
        } catch (ExpressionException e) {
            throw new WorkflowException(e.getMessage(), e);
        }
    }

    private static int repeatCount(CompiledJob j, RenderContext ctx) {
        Object v = j.repeatCount().render(ctx);
        long n;
        if (v instanceof Number num) n = num.longValue();
        else if (v instanceof String s && s.strip().matches("\\d+")) n = Long.parseLong(s.strip());
        else throw new WorkflowException("job '" + j.config().id() + "': repeat_count rendered to " + PythonText.repr(v) + ", not an integer");
        if (n < 1 || n > 10_000) throw new WorkflowException("job '" + j.config().id() + "': repeat_count must be between 1 and 10000, got " + n);
        return (int) n;
    }
}
