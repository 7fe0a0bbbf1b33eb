package dev.modelcompose.compose;

import java.util.List;

/**
 * A component of a type this implementation does not run (only {@code type: model} with {@code task: image-upscale}
 * runs). It loads with a warning; running it is an error naming its type.
 */
public record UnsupportedComponentConfig(String id, String type, String detail, int maxConcurrentCount, boolean isDefault)
        implements ComponentConfig {
    @Override
    public List<? extends ActionConfig> actions() {
        return List.of();
    }
}
