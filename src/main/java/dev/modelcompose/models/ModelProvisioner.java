package dev.modelcompose.models;

import dev.modelcompose.models.pth.PthConverter;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns the {@code model:} value of a compose file (or a CLI argument) into ncnn files the runner
 * loads, downloading and converting on the way.
 *
 * <p>Accepted today: a catalogue name ({@code realesrgan-x4plus}); a local path to a
 * {@code .param} (with its {@code .bin}) or to a directory holding exactly one model; a local path
 * to PyTorch weights ({@code .pth}), converted once by {@link PthConverter} into its cache; a map
 * {@code {provider: local, path: ...}}. Providers {@code huggingface}, {@code url} and {@code npm}
 * come with the models issue.
 */
public class ModelProvisioner {
    protected final ModelResolver resolver;

    public ModelProvisioner(ModelResolver resolver) {
        this.resolver = resolver;
    }

    public static ModelProvisioner standard(Consumer<String> log) {
        return new ModelProvisioner(ModelResolver.standard(log));
    }

    /**
     * @param model        a String or a Map as written in the compose file
     * @param architecture the compose file's {@code architecture} (e.g. real-esrgan, esrgan), may be null
     * @param scale        the expected scale, or null to accept the model's own
     */
    public ModelFiles provision(Object model, String architecture, Integer scale) {
        if (model instanceof String text) return fromString(text, architecture, scale);
        if (model instanceof Map<?, ?> map) {
            Object provider = map.get("provider");
            if (provider == null || "local".equals(provider)) {
                Object path = map.containsKey("path") ? map.get("path") : map.get("model");
                if (path == null) throw new ModelLoadException("model: a local model needs 'path'");
                return fromString(path.toString(), architecture, scale);
            }
            throw new ModelLoadException("model provider '" + provider + "' is not supported yet (supported: local, or a catalogue name)");
        }
        throw new ModelLoadException("model must be a name, a path or a map with 'provider', got " + model);
    }

    protected ModelFiles fromString(String text, Integer scale) {
        return fromString(text, null, scale);
    }

    protected ModelFiles fromString(String text, String architecture, Integer scale) {
        Path path = Path.of(text);
        if (text.toLowerCase(java.util.Locale.ROOT).endsWith(".pth")) return pthConverter().convert(path, architecture, scale);
        if (text.endsWith(".param") || text.endsWith(".bin")) return ModelFiles.of(path).requireReadable();
        if (Files.isDirectory(path)) {
            try (var files = Files.list(path)) {
                var params = files.filter(p -> p.toString().endsWith(".param")).toList();
                if (params.size() == 1) return ModelFiles.of(params.get(0)).requireReadable();
                throw new ModelLoadException("model directory " + path + " holds " + params.size() + " .param files; name one of them");
            } catch (java.io.IOException e) {
                throw new ModelLoadException("cannot list model directory " + path + ": " + e.getMessage());
            }
        }
        return resolver.resolve(text, null, scale);
    }

    /** Converts {@code .pth} weights; the cache is {@link PthConverter#defaultCacheDir()}. */
    protected PthConverter pthConverter() {
        return new PthConverter(PthConverter.defaultCacheDir());
    }
}
