package dev.modelcompose.runtime;

/** A started component: runs actions, one call per job run. Thread-safe; concurrency limits are its own. */
public interface ComponentInstance extends AutoCloseable {
    String id();

    /** Loads what it needs (the model) now rather than at the first run. */
    void start();

    /**
     * @param actionId an action id or {@code __default__}
     * @param input    the job's input ({@code ${input}} inside the action)
     * @return the action's result, after its output mapping
     */
    Object run(String actionId, Object input, RunContext run);

    @Override
    void close();
}
