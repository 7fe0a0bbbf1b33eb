package dev.modelcompose.compose;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@link ComposeLoader} produced: the normalised config, where it came from and what was noticed on the way.
 *
 * @param files       the compose files, in merge order (empty for a config given as text)
 * @param workingDir  where relative paths (inputs, models) resolve
 * @param projectName the name of the first compose file's directory (e.g. {@code image-upscale}); a workflow without
 *                    an explicit id also answers to it
 * @param env         the environment {@code ${env.*}} was substituted from
 */
public record ComposeProject(ComposeConfig config, List<Path> files, Path workingDir, String projectName, Map<String, String> env,
                             List<Diagnostic> diagnostics) {
    public ComposeProject {
        files = List.copyOf(files);
        diagnostics = List.copyOf(diagnostics);
    }
}
