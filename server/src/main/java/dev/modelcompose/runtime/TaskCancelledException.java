package dev.modelcompose.runtime;

/** The task was cancelled before it finished. */
public class TaskCancelledException extends WorkflowException {
    public TaskCancelledException() {
        super("the task was cancelled");
    }
}
