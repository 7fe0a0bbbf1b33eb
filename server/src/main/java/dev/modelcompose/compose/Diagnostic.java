package dev.modelcompose.compose;

/**
 * Something worth telling about a compose file that does not stop it from loading: an unknown key,
 * a value accepted but ignored, a legacy form that was rewritten.
 *
 * @param path    where in the normalised model, e.g. {@code components[0].actions[0].params.tile_pad}
 */
public record Diagnostic(Severity severity, Origin origin, String path, String message) {
    public enum Severity { WARNING, NOTE }

    /** {@code model-compose.yml:12: components[0].tile_size: unknown key ...}. */
    @Override
    public String toString() {
        return (origin == Origin.UNKNOWN ? "" : origin + ": ") + (path == null || path.isEmpty() ? "" : path + ": ") + message;
    }
}
