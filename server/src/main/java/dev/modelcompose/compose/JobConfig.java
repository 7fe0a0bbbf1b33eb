package dev.modelcompose.compose;

import java.time.Duration;
import java.util.List;

/**
 * A job of type {@code component}: runs one action of a component.
 *
 * @param componentId     the component's id, or {@code __default__}; ignored when {@code inlineComponent} is set
 * @param inlineComponent a component written inside the job, or null
 * @param input           template rendered against the workflow context; null = the whole workflow input
 * @param output          template with {@code ${output}} = the component's result; null = the result itself
 * @param repeatCount     a Long &gt;= 1 or a template string
 * @param dependsOn       job ids; each inner list is a group of alternatives (any one of them suffices)
 * @param onError         null = fail the workflow
 */
public record JobConfig(String id, String type, String componentId, ComponentConfig inlineComponent, String action, Object input,
                        Object output, Object repeatCount, List<List<String>> dependsOn, int maxRunCount, RetryConfig retry,
                        OnErrorConfig onError) {
    public static final String DEFAULT_ID = "__job__";
    public static final String DEFAULT_REF = "__default__";

    public JobConfig {
        dependsOn = dependsOn.stream().map(List::copyOf).toList();
    }

    /** {@code retry}: an int is the attempt count. @param backoff fixed or exponential */
    public record RetryConfig(int maxAttemptCount, Duration delay, String backoff, Duration maxDelay) {}

    /** {@code on_error}: {@code ignore}, or an output template with {@code ${error.message}} (and an optional job to go to). */
    public record OnErrorConfig(boolean ignore, Object output, String to) {}
}
