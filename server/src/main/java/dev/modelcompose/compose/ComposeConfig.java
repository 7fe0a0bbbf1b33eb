package dev.modelcompose.compose;

import java.util.List;

/**
 * A compose file after loading: every shorthand inflated, legacy forms rewritten and defaults filled in (the
 * "normalised form" of the contract, §1.8).
 */
public record ComposeConfig(ControllerConfig controller, List<ComponentConfig> components, List<WorkflowConfig> workflows) {
    public ComposeConfig {
        components = List.copyOf(components);
        workflows = List.copyOf(workflows);
    }
}
