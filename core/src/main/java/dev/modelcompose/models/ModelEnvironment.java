package dev.modelcompose.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The environment variables and home directory that model downloads read, injectable so tests do
 * not touch the process environment. {@link #system()} is the real one.
 *
 * <p>Hugging Face variables follow {@code huggingface_hub}, so caches and tokens are shared with
 * Python: {@code HF_ENDPOINT}, {@code HF_TOKEN} (legacy {@code HUGGING_FACE_HUB_TOKEN}, then the
 * token file {@code huggingface-cli login} writes), {@code HF_HUB_OFFLINE}, {@code HF_HOME},
 * {@code HF_HUB_CACHE}, {@code HF_HUB_DISABLE_PROGRESS_BARS}.
 */
public final class ModelEnvironment {
    public static final String DEFAULT_HF_ENDPOINT = "https://huggingface.co";
    private static final Set<String> TRUE = Set.of("1", "on", "yes", "true");

    private final Map<String, String> env;
    private final Path home;

    private ModelEnvironment(Map<String, String> env, Path home) {
        this.env = Map.copyOf(env);
        this.home = home;
    }

    public static ModelEnvironment system() {
        return new ModelEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** An environment with exactly these variables and this home directory (for tests and embedding). */
    public static ModelEnvironment of(Map<String, String> env, Path home) {
        return new ModelEnvironment(env, home);
    }

    /** A copy with {@code name} set to {@code value} (removed when value is null). */
    public ModelEnvironment with(String name, String value) {
        Map<String, String> copy = new HashMap<>(env);
        if (value == null) copy.remove(name);
        else copy.put(name, value);
        return new ModelEnvironment(copy, home);
    }

    /** The variable's value, or null when unset or blank. */
    public String get(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    public Path home() {
        return home;
    }

    /** {@code ~} and {@code ~/...} become paths under the home directory. */
    public Path expandHome(String path) {
        if (path.equals("~")) return home;
        if (path.startsWith("~/") || path.startsWith("~\\")) return home.resolve(path.substring(2));
        return Path.of(path);
    }

    /** {@code $XDG_CACHE_HOME}, else {@code ~/.cache}. */
    public Path xdgCacheHome() {
        String xdg = get("XDG_CACHE_HOME");
        return xdg != null ? expandHome(xdg) : home.resolve(".cache");
    }

    /** {@code $MODEL_COMPOSE_CACHE}, else {@code ~/.cache/model-compose} (as {@link ModelCache#standard()}). */
    public Path modelComposeCache() {
        String dir = get("MODEL_COMPOSE_CACHE");
        return dir != null ? expandHome(dir) : home.resolve(".cache").resolve("model-compose");
    }

    /** Where the {@code url} provider keeps its files: {@code <model-compose cache>/downloads}. */
    public Path downloadsDir() {
        return modelComposeCache().resolve("downloads");
    }

    /** {@code $HF_ENDPOINT} without a trailing slash, else {@code https://huggingface.co}. */
    public String hfEndpoint() {
        String e = get("HF_ENDPOINT");
        if (e == null) return DEFAULT_HF_ENDPOINT;
        e = e.strip();
        while (e.endsWith("/")) e = e.substring(0, e.length() - 1);
        return e;
    }

    /** {@code $HF_HOME}, else {@code $XDG_CACHE_HOME/huggingface}, else {@code ~/.cache/huggingface}. */
    public Path hfHome() {
        String h = get("HF_HOME");
        return h != null ? expandHome(h) : xdgCacheHome().resolve("huggingface");
    }

    /** {@code $HF_HUB_CACHE} (legacy {@code HUGGINGFACE_HUB_CACHE}), else {@code <HF_HOME>/hub}. */
    public Path hfHubCache() {
        String c = get("HF_HUB_CACHE");
        if (c == null) c = get("HUGGINGFACE_HUB_CACHE");
        return c != null ? expandHome(c) : hfHome().resolve("hub");
    }

    /**
     * {@code $HF_TOKEN}, else {@code $HUGGING_FACE_HUB_TOKEN}, else the file {@code $HF_TOKEN_PATH}
     * (default {@code <HF_HOME>/token}, written by {@code huggingface-cli login}); null when none.
     */
    public String hfToken() {
        String t = get("HF_TOKEN");
        if (t == null) t = get("HUGGING_FACE_HUB_TOKEN");
        if (t != null) return t.strip();
        String p = get("HF_TOKEN_PATH");
        Path file = p != null ? expandHome(p) : hfHome().resolve("token");
        try {
            if (Files.isRegularFile(file)) {
                String s = Files.readString(file).strip();
                return s.isEmpty() ? null : s;
            }
        } catch (IOException | RuntimeException ignored) {
            // an unreadable token file is the same as none
        }
        return null;
    }

    /** {@code HF_HUB_OFFLINE} is 1/on/yes/true. */
    public boolean hfOffline() {
        return truthy(get("HF_HUB_OFFLINE"));
    }

    /** {@code HF_HUB_DISABLE_PROGRESS_BARS} is 1/on/yes/true (the CLI then shows no bar). */
    public boolean hfProgressBarsDisabled() {
        return truthy(get("HF_HUB_DISABLE_PROGRESS_BARS"));
    }

    static boolean truthy(String value) {
        return value != null && TRUE.contains(value.strip().toLowerCase(Locale.ROOT));
    }
}
