package dev.modelcompose.runtime;

import dev.modelcompose.expr.RenderContext;
import java.util.function.Consumer;

/**
 * What a component run knows about the task it belongs to.
 *
 * @param runId  a fresh id per component run ({@code ${context.run_id}} in actions)
 * @param log    log lines (the CLI shows them with -v)
 * @param render the task's expression options (what its {@code ;path} and {@code ;url} inputs may reach)
 */
public record RunContext(String taskId, String runId, Cancellation cancellation, Consumer<String> log, RenderContext.Options render) {}
