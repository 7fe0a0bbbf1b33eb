package dev.modelcompose.compose;

import java.util.List;

/** A component: something jobs run actions on. */
public sealed interface ComponentConfig permits ImageUpscaleConfig, UnsupportedComponentConfig {
    String DEFAULT_ID = "__component__";

    String id();

    String type();

    /** 0 = unbounded; N &gt; 0 = at most N runs at once, the others wait in FIFO order. */
    int maxConcurrentCount();

    boolean isDefault();

    List<? extends ActionConfig> actions();

    /** An action of a component. */
    interface ActionConfig {
        String DEFAULT_ID = "__action__";

        String id();

        boolean isDefault();

        /** The action's output template (source {@code ${result}}), or null for the result itself. */
        Object output();
    }
}
