package dev.modelcompose.runtime;

import dev.modelcompose.expr.InputAccess;
import java.util.function.Consumer;

/**
 * How a {@link ComposeRuntime} reaches models and the outside.
 *
 * @param models          provisions {@code model:} values; null = {@link ModelSource#standard}
 * @param engines         opens loaded models; {@link UpscaleEngine#native_} in production
 * @param allowLocalPaths the CLI's leniency: {@code as image} (without {@code ;path}) also reads a string naming an
 *                        existing local file. Leave false for input that comes from the network.
 * @param log             log lines ({@code INFO:     [task-...] Workflow '...' started.})
 * @param inputAccess     what {@code ;path} and {@code ;url} inputs may reach in runs that do not say otherwise
 *                        ({@link ComposeRuntime.RunOptions}); null = {@link InputAccess#network()}
 */
public record RuntimeOptions(ModelSource models, UpscaleEngine.Factory engines, boolean allowLocalPaths, Consumer<String> log,
                             InputAccess inputAccess) {
    public RuntimeOptions {
        if (engines == null) engines = UpscaleEngine::native_;
        if (log == null) log = line -> {};
        if (models == null) models = ModelSource.standard(log);
        if (inputAccess == null) inputAccess = InputAccess.network();
    }

    /** With {@link InputAccess#network()}. */
    public RuntimeOptions(ModelSource models, UpscaleEngine.Factory engines, boolean allowLocalPaths, Consumer<String> log) {
        this(models, engines, allowLocalPaths, log, null);
    }

    public static RuntimeOptions defaults() {
        return new RuntimeOptions(null, null, false, null);
    }

    public RuntimeOptions withModels(ModelSource value) {
        return new RuntimeOptions(value, engines, allowLocalPaths, log, inputAccess);
    }

    public RuntimeOptions withEngines(UpscaleEngine.Factory value) {
        return new RuntimeOptions(models, value, allowLocalPaths, log, inputAccess);
    }

    public RuntimeOptions withLocalPaths(boolean value) {
        return new RuntimeOptions(models, engines, value, log, inputAccess);
    }

    public RuntimeOptions withLog(Consumer<String> value) {
        return new RuntimeOptions(models, engines, allowLocalPaths, value, inputAccess);
    }

    public RuntimeOptions withInputAccess(InputAccess value) {
        return new RuntimeOptions(models, engines, allowLocalPaths, log, value);
    }
}
