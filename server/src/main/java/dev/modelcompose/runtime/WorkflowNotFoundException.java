package dev.modelcompose.runtime;

import java.util.List;

/** {@code Workflow not found: x}; HTTP answers 404 {@code Workflow 'x' not found.} for it. */
public class WorkflowNotFoundException extends WorkflowException {
    private final String workflowId;

    public WorkflowNotFoundException(String workflowId, List<String> available, String detail) {
        super("Workflow not found: " + workflowId + (detail == null ? "" : " (" + detail + ")")
                + (available.isEmpty() ? "" : " (available: " + String.join(", ", available) + ")"));
        this.workflowId = workflowId;
    }

    public String workflowId() {
        return workflowId;
    }
}
