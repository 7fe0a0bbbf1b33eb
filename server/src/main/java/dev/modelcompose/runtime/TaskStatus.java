package dev.modelcompose.runtime;

import java.util.Locale;

/** pending -&gt; processing -&gt; completed | failed | cancelling -&gt; cancelled. */
public enum TaskStatus {
    PENDING, PROCESSING, COMPLETED, FAILED, CANCELLING, CANCELLED;

    /** The name on the wire: {@code completed}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
