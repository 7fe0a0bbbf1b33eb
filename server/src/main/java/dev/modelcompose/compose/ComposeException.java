package dev.modelcompose.compose;

import java.util.List;

/**
 * A compose file that cannot be used: not found, not YAML, an unset environment variable, or values that do not fit
 * the schema. {@link #getMessage()} is the whole report (a headline, then one line per problem); {@link #problems()}
 * holds the problem lines alone.
 */
public class ComposeException extends RuntimeException {
    private final List<String> problems;

    public ComposeException(String message) {
        super(message);
        this.problems = List.of();
    }

    public ComposeException(String headline, List<String> problems) {
        super(headline + (problems.isEmpty() ? "" : "\n  - " + String.join("\n  - ", problems)));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
