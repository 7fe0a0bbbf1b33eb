package dev.modelcompose.compose;

import java.util.List;

/**
 * A workflow: jobs run in dependency order.
 *
 * @param explicitId whether the file gave the id ({@code __workflow__} is the default)
 * @param output     the workflow-level output template, or null to take the terminal jobs' output
 */
public record WorkflowConfig(String id, boolean explicitId, String name, String title, String description, List<JobConfig> jobs,
                             Object output, boolean isDefault, boolean isPrivate) {
    public static final String DEFAULT_ID = "__workflow__";

    public WorkflowConfig {
        jobs = List.copyOf(jobs);
    }
}
