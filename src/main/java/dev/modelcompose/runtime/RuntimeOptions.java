package dev.modelcompose.runtime;

import java.util.function.Consumer;

/**
 * How a {@link ComposeRuntime} reaches models and the outside.
 *
 * @param models          provisions {@code model:} values; null = {@link ModelSource#standard}
 * @param engines         opens loaded models; {@link UpscaleEngine#native_} in production
 * @param allowLocalPaths the CLI's leniency: {@code as image} (without {@code ;path}) also reads a string naming an
 *                        existing local file. Leave false for input that comes from the network.
 * @param log             log lines ({@code INFO:     [task-...] Workflow '...' started.})
 */
public record RuntimeOptions(ModelSource models, UpscaleEngine.Factory engines, boolean allowLocalPaths, Consumer<String> log) {
    public RuntimeOptions {
        if (engines == null) engines = UpscaleEngine::native_;
        if (log == null) log = line -> {};
        if (models == null) models = ModelSource.standard(log);
    }

    public static RuntimeOptions defaults() {
        return new RuntimeOptions(null, null, false, null);
    }

    public RuntimeOptions withModels(ModelSource value) {
        return new RuntimeOptions(value, engines, allowLocalPaths, log);
    }

    public RuntimeOptions withEngines(UpscaleEngine.Factory value) {
        return new RuntimeOptions(models, value, allowLocalPaths, log);
    }

    public RuntimeOptions withLocalPaths(boolean value) {
        return new RuntimeOptions(models, engines, value, log);
    }

    public RuntimeOptions withLog(Consumer<String> value) {
        return new RuntimeOptions(models, engines, allowLocalPaths, value);
    }
}
