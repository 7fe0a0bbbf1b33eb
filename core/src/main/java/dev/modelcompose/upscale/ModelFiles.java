package dev.modelcompose.upscale;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The two files of an ncnn model: the {@code .param} graph and the {@code .bin} weights. */
public record ModelFiles(Path param, Path bin) {

    /** {@code NAME.param}/{@code NAME.bin} for a path given with or without either extension. */
    public static ModelFiles of(Path path) {
        String name = path.getFileName().toString();
        String base = name.endsWith(".param") || name.endsWith(".bin") ? name.substring(0, name.lastIndexOf('.')) : name;
        Path dir = path.toAbsolutePath().getParent();
        return new ModelFiles(dir.resolve(base + ".param"), dir.resolve(base + ".bin"));
    }

    /**
     * Finds model {@code name} in {@code dir} as the official runner does: {@code NAME.param}, or
     * {@code NAME-xSCALE.param} when a scale is given (so {@code realesr-animevideov3} with scale 2
     * finds {@code realesr-animevideov3-x2}); without a scale, {@code NAME-x4} is tried after {@code NAME}.
     */
    public static ModelFiles find(Path dir, String name, Integer scale) {
        List<String> candidates = new ArrayList<>();
        if (scale != null && !name.endsWith("-x" + scale)) candidates.add(name + "-x" + scale);
        candidates.add(name);
        if (scale == null && !name.matches(".*-x\\d+")) candidates.add(name + "-x4");  // the official runner's default scale
        for (String candidate : candidates) {
            ModelFiles files = new ModelFiles(dir.resolve(candidate + ".param"), dir.resolve(candidate + ".bin"));
            if (Files.isRegularFile(files.param())) return files;
        }
        throw new ModelLoadException("model '" + name + "' not found in " + dir.toAbsolutePath() + ": expected " + candidates.get(0)
                + ".param and .bin there" + listing(dir).map(l -> " (available: " + l + ")").orElse(" (the directory has no .param files)"));
    }

    private static Optional<String> listing(Path dir) {
        try (var files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".param"))
                    .map(n -> n.substring(0, n.length() - 6)).sorted().toList();
            return names.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", names));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** Checks that both files exist and are readable, with a message naming the missing one. */
    public ModelFiles requireReadable() {
        for (Path p : List.of(param, bin))
            if (!Files.isReadable(p)) throw new ModelLoadException("model file " + p + " does not exist or cannot be read");
        return this;
    }

    public String name() {
        String n = param.getFileName().toString();
        return n.substring(0, n.length() - ".param".length());
    }
}
