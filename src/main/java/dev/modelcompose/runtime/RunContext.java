package dev.modelcompose.runtime;

import java.util.function.Consumer;

/**
 * What a component run knows about the task it belongs to.
 *
 * @param runId a fresh id per component run ({@code ${context.run_id}} in actions)
 * @param log   log lines (the CLI shows them with -v)
 */
public record RunContext(String taskId, String runId, Cancellation cancellation, Consumer<String> log) {}
