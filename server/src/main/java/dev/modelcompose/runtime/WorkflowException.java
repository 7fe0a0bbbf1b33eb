package dev.modelcompose.runtime;

/** A workflow that could not run or failed while running; the message says why in one line. */
public class WorkflowException extends RuntimeException {
    public WorkflowException(String message) {
        super(message);
    }

    public WorkflowException(String message, Throwable cause) {
        super(message, cause);
    }
}
