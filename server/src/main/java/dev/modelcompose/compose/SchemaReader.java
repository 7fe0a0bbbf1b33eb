package dev.modelcompose.compose;

import dev.modelcompose.compose.ControllerConfig.AdapterConfig;
import dev.modelcompose.compose.ControllerConfig.WebSocketConfig;
import dev.modelcompose.compose.ControllerConfig.WebUiConfig;
import dev.modelcompose.compose.ImageUpscaleConfig.Action;
import dev.modelcompose.compose.ImageUpscaleConfig.Params;
import dev.modelcompose.compose.JobConfig.OnErrorConfig;
import dev.modelcompose.compose.JobConfig.RetryConfig;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a merged YAML tree into {@link ComposeConfig}: shorthands inflated, legacy forms rewritten, defaults filled in.
 * Every problem is collected with the normalised path of the bad key and its file position; unknown keys are warnings.
 */
final class SchemaReader {
    private static final Set<String> JOB_KEYS = Set.of("component", "action", "input", "output", "repeat_count", "depends_on");
    private static final Set<String> ACTION_KEYS = Set.of("image", "color_format", "batch_size", "params", "output");
    private static final Set<String> UNSUPPORTED_TOP = Set.of("listener", "listeners", "gateway", "gateways", "system", "systems",
            "tracer", "tracers", "logger", "loggers");
    private static final Pattern DURATION = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?\\s*");

    private final List<String> errors = new ArrayList<>();
    private final Consumer<Diagnostic> diagnostics;

    SchemaReader(Consumer<Diagnostic> diagnostics) {
        this.diagnostics = diagnostics;
    }

    List<String> errors() {
        return errors;
    }

    // ------------------------------------------------------------------------------------------ field access

    /** A mapping being read: remembers which keys were used so the rest can be reported. */
    private final class Obj {
        final YamlNode.Mapping map;
        final String path;
        final Set<String> used = new HashSet<>();

        Obj(YamlNode.Mapping map, String path) {
            this.map = map;
            this.path = path;
        }

        String at(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        boolean has(String key) {
            return map.has(key);
        }

        YamlNode node(String key) {
            used.add(key);
            return map.get(key);
        }

        /** Marks keys as known without reading them. */
        void accept(String... keys) {
            used.addAll(Arrays.asList(keys));
        }

        Object plain(String key) {
            YamlNode n = node(key);
            return n == null ? null : n.toPlain();
        }

        String string(String key, String def) {
            YamlNode n = node(key);
            if (n == null || n instanceof YamlNode.Scalar s && s.value() == null) return def;
            if (n instanceof YamlNode.Scalar s) return String.valueOf(s.value());
            error(at(key), "expected a string, got " + n.describe(), n.origin());
            return def;
        }

        Integer integer(String key, Integer def, int min) {
            YamlNode n = node(key);
            if (n == null || n instanceof YamlNode.Scalar s && s.value() == null) return def;
            Long v = asLong(n);
            if (v == null || v > Integer.MAX_VALUE) {
                error(at(key), "expected an integer, got " + n.describe(), n.origin());
                return def;
            }
            if (v < min) {
                error(at(key), "must be at least " + min + ", got " + v, n.origin());
                return def;
            }
            return v.intValue();
        }

        boolean bool(String key, boolean def) {
            YamlNode n = node(key);
            if (n == null || n instanceof YamlNode.Scalar s && s.value() == null) return def;
            Boolean b = asBoolean(n);
            if (b == null) {
                error(at(key), "expected true or false, got " + n.describe(), n.origin());
                return def;
            }
            return b;
        }

        Duration duration(String key, Duration def) {
            YamlNode n = node(key);
            if (n == null || n instanceof YamlNode.Scalar s && s.value() == null) return def;
            if (n instanceof YamlNode.Scalar s) {
                Duration d = parseDuration(s.value());
                if (d != null) return d;
            }
            error(at(key), "expected a duration such as 30s, 500ms or 2m, got " + n.describe(), n.origin());
            return def;
        }

        /** A byte count: an integer or a size such as {@code 512MiB}, {@code 2GB}, {@code 64k} (units of 1024). */
        long size(String key, long def, long min) {
            YamlNode n = node(key);
            if (n == null || n instanceof YamlNode.Scalar s && s.value() == null) return def;
            Long v = asLong(n);
            if (v == null && n instanceof YamlNode.Scalar s && s.value() instanceof String text) v = parseSize(text);
            if (v == null) {
                error(at(key), "expected a size such as 1048576, 512MiB or 2GiB, got " + n.describe(), n.origin());
                return def;
            }
            if (v < min) {
                error(at(key), "must be at least " + min + ", got " + v, n.origin());
                return def;
            }
            return v;
        }

        /** Reports the keys nobody read. */
        void finish() {
            for (YamlNode.Entry e : map.entries().values()) {
                if (used.contains(e.key())) continue;
                String hint = suggestion(e.key(), used, map);
                diagnostics.accept(new Diagnostic(Diagnostic.Severity.WARNING, e.keyOrigin(), at(e.key()), "unknown key, ignored" + hint));
            }
        }

        private final List<String> known = new ArrayList<>();

        Obj knows(String... keys) {
            known.addAll(Arrays.asList(keys));
            return this;
        }

        String suggestion(String key, Set<String> used, YamlNode.Mapping map) {
            String best = null;
            int bestDistance = 3;
            Set<String> candidates = new HashSet<>(known);
            candidates.addAll(used);
            for (String c : candidates) {
                int d = distance(key.toLowerCase(Locale.ROOT), c);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = c;
                }
            }
            return best == null ? "" : " (did you mean '" + best + "'?)";
        }
    }

    private void error(String path, String message, Origin origin) {
        errors.add(path + ": " + message + (origin == null || origin == Origin.UNKNOWN ? "" : " (" + origin + ")"));
    }

    private void note(Origin origin, String path, String message) {
        diagnostics.accept(new Diagnostic(Diagnostic.Severity.NOTE, origin, path, message));
    }

    private void warn(Origin origin, String path, String message) {
        diagnostics.accept(new Diagnostic(Diagnostic.Severity.WARNING, origin, path, message));
    }

    private Obj obj(YamlNode node, String path) {
        if (node instanceof YamlNode.Mapping m) return new Obj(m, path);
        if (node != null && !(node instanceof YamlNode.Scalar s && s.value() == null))
            error(path, "expected a mapping, got " + node.describe(), node.origin());
        return null;
    }

    /** The items of {@code plural}, or the single {@code singular} (only when the plural is absent). */
    private List<YamlNode> items(Obj o, String singular, String plural) {
        YamlNode many = o.node(plural);
        YamlNode one = o.node(singular);
        if (many != null && !(many instanceof YamlNode.Scalar s && s.value() == null)) {
            if (one != null) warn(o.map.entries().get(singular).keyOrigin(), o.at(singular),
                    "ignored because '" + plural + "' is also given");
            if (many instanceof YamlNode.Sequence seq) return seq.items();
            if (many instanceof YamlNode.Mapping) return List.of(many);
            error(o.at(plural), "expected a list, got " + many.describe(), many.origin());
            return List.of();
        }
        if (one == null || one instanceof YamlNode.Scalar s && s.value() == null) return List.of();
        if (one instanceof YamlNode.Sequence seq) return seq.items();
        return List.of(one);
    }

    /** {@code 64k}, {@code 512MiB}, {@code 2 GB}: powers of 1024 whatever the spelling; null when it is no size. */
    static Long parseSize(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\\s*(\\d+)\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)\\s*").matcher(text);
        if (!m.matches()) return null;
        int shift = switch (m.group(2).isEmpty() ? ' ' : Character.toLowerCase(m.group(2).charAt(0))) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        try {
            long n = Long.parseLong(m.group(1));
            return n > Long.MAX_VALUE >> shift ? null : n << shift;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long asLong(YamlNode n) {
        if (!(n instanceof YamlNode.Scalar s)) return null;
        Object v = s.value();
        if (v instanceof Long l) return l;
        if (v instanceof BigInteger b) return b.bitLength() < 63 ? b.longValue() : null;
        if (v instanceof Double d && d == Math.rint(d) && !d.isInfinite()) return d.longValue();
        if (v instanceof String str && str.strip().matches("[-+]?\\d{1,18}")) return Long.parseLong(str.strip().replace("+", ""));
        return null;
    }

    private static Boolean asBoolean(YamlNode n) {
        if (!(n instanceof YamlNode.Scalar s)) return null;
        Object v = s.value();
        if (v instanceof Boolean b) return b;
        if (v instanceof String str) {
            switch (str.strip().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "1": return true;
                case "false", "no", "off", "0": return false;
                default: return null;
            }
        }
        if (v instanceof Long l && (l == 0 || l == 1)) return l == 1;
        return null;
    }

    static Duration parseDuration(Object v) {
        if (v instanceof Long l) return l >= 0 ? Duration.ofSeconds(l) : null;
        if (v instanceof Double d) return d >= 0 ? Duration.ofMillis(Math.round(d * 1000)) : null;
        if (!(v instanceof String s)) return null;
        Matcher m = DURATION.matcher(s);
        if (!m.matches()) return null;
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double ms = switch (unit) {
            case "ms" -> n;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            case "d" -> n * 86_400_000;
            default -> n * 1000;
        };
        return Duration.ofMillis(Math.round(ms));
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++)
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static boolean isTemplate(Object v) {
        return v instanceof String s && s.contains("${");
    }

    /** Assigns {@code base} to the first item without an id and {@code base_N} (N = position) to later ones. */
    private static String defaultId(String base, int index, Set<String> taken) {
        if (!taken.contains(base)) return base;
        String stem = base.endsWith("__") ? base.substring(0, base.length() - 2) : base;
        return stem + "_" + index + (base.endsWith("__") ? "__" : "");
    }

    // ------------------------------------------------------------------------------------------ top level

    ComposeConfig read(YamlNode root) {
        Obj top = obj(root, "");
        if (top == null) {
            errors.add("the file must be a mapping with 'controller', 'components' and 'workflows', got " + root.describe());
            return new ComposeConfig(ControllerConfig.none(), List.of(), List.of());
        }
        top.knows("controller", "component", "components", "workflow", "workflows");
        ControllerConfig controller = top.has("controller") ? controller(top.node("controller")) : ControllerConfig.none();

        List<ComponentConfig> components = new ArrayList<>();
        Set<String> componentIds = new HashSet<>();
        List<YamlNode> componentNodes = items(top, "component", "components");
        for (int i = 0; i < componentNodes.size(); i++) {
            ComponentConfig c = component(componentNodes.get(i), "components[" + i + "]", i, componentIds);
            if (c == null) continue;
            if (!componentIds.add(c.id())) error("components[" + i + "].id", "duplicate component id '" + c.id() + "'", componentNodes.get(i).origin());
            components.add(c);
        }

        List<WorkflowConfig> workflows = new ArrayList<>();
        Set<String> workflowIds = new HashSet<>();
        List<YamlNode> workflowNodes = items(top, "workflow", "workflows");
        for (int i = 0; i < workflowNodes.size(); i++) {
            WorkflowConfig w = workflow(workflowNodes.get(i), "workflows[" + i + "]", i, workflowIds);
            if (w == null) continue;
            if (!workflowIds.add(w.id())) error("workflows[" + i + "].id", "duplicate workflow id '" + w.id() + "'", workflowNodes.get(i).origin());
            workflows.add(w);
        }

        for (String key : UNSUPPORTED_TOP) {
            if (top.has(key)) {
                top.node(key);
                warn(top.map.entries().get(key).keyOrigin(), key, "not supported by this implementation, ignored");
            }
        }
        top.finish();
        return new ComposeConfig(controller, components, workflows);
    }

    // ------------------------------------------------------------------------------------------ controller

    private ControllerConfig controller(YamlNode node) {
        Obj o = obj(node, "controller");
        if (o == null) return ControllerConfig.none();
        o.knows("adapter", "adapters", "runtime", "max_concurrent_count", "shutdown_pending_period", "shutdown_timeout", "threaded",
                "queue", "webui", "name");
        List<AdapterConfig> adapters = new ArrayList<>();
        if (!o.has("adapter") && !o.has("adapters") && o.has("type")) {
            // (L1) the flat controller of releases before 2026-03: its server keys become one adapter.
            Map<String, YamlNode.Entry> moved = new LinkedHashMap<>();
            for (String k : List.of("type", "host", "port", "base_path", "origins", "websocket", "input_paths", "allow_private_urls", "min_upload_rate", "upload_timeout",
                    "max_concurrent_uploads", "cancel_on_disconnect", "memory_budget", "output_memory", "output_disk", "inline_output_limit",
                    "max_image_pixels")) {
                if (o.has(k)) {
                    moved.put(k, o.map.entries().get(k));
                    o.accept(k);
                }
            }
            note(o.map.entries().get("type").keyOrigin(), "controller.type", "legacy flat controller: read as controller.adapter");
            AdapterConfig a = adapter(new YamlNode.Mapping(moved, o.map.origin()), "controller.adapter");
            if (a != null) adapters.add(a);
        } else {
            List<YamlNode> nodes = items(o, "adapter", "adapters");
            for (int i = 0; i < nodes.size(); i++) {
                AdapterConfig a = adapter(nodes.get(i), "controller.adapters[" + i + "]");
                if (a != null) adapters.add(a);
            }
        }
        String runtime = runtime(o, "controller");
        int max = o.integer("max_concurrent_count", 0, 0);
        Duration pending = o.duration("shutdown_pending_period", Duration.ZERO);
        Duration timeout = o.duration("shutdown_timeout", Duration.ofSeconds(30));
        boolean threaded = o.bool("threaded", false);
        if (o.plain("queue") != null) warn(o.map.entries().get("queue").keyOrigin(), "controller.queue", "remote queues are not supported, ignored");
        WebUiConfig webui = o.has("webui") ? webui(o.node("webui")) : null;
        String name = o.string("name", null);
        o.finish();
        return new ControllerConfig(name, adapters, runtime, max, pending, timeout, threaded, webui);
    }

    /** {@code device}: one device ({@code auto}, {@code cpu}, {@code cuda:1}, {@code 0}) or a list of them, kept as written, comma-joined. */
    private String deviceSpec(Obj o, String path) {
        YamlNode n = o.node("device");
        if (n == null || n instanceof YamlNode.Scalar s && s.value() == null) return "auto";
        if (n instanceof YamlNode.Scalar s) return String.valueOf(s.value());
        if (n instanceof YamlNode.Sequence seq && !seq.items().isEmpty()
                && seq.items().stream().allMatch(i -> i instanceof YamlNode.Scalar s && s.value() != null)) {
            List<String> items = new ArrayList<>();
            for (YamlNode i : seq.items()) items.add(String.valueOf(((YamlNode.Scalar) i).value()));
            return String.join(",", items);
        }
        error(path + ".device", "expected a device (auto, cpu, cuda:0, 0...) or a list of them, got " + n.describe(), n.origin());
        return "auto";
    }

    /** {@code precision}: auto, fp16 / fp32 (Vulkan storage) or bf16 (CPU); torch's spellings (float16, half, float32, full, bfloat16) are accepted. */
    private String precision(Obj o, String path) {
        String written = o.string("precision", null);
        if (written == null) return "auto";
        String p = switch (written.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> "auto";
            case "fp16", "float16", "half" -> "fp16";
            case "fp32", "float32", "full", "float" -> "fp32";
            case "bf16", "bfloat16" -> "bf16";
            default -> null;
        };
        if (p == null) {
            error(path + ".precision", "expected auto, fp16, fp32 or bf16, got '" + written + "'", o.map.get("precision").origin());
            return "auto";
        }
        return p;
    }

    private String runtime(Obj o, String path) {
        YamlNode n = o.node("runtime");
        if (n == null) return "native";
        String type = null;
        if (n instanceof YamlNode.Scalar s && s.value() != null) type = String.valueOf(s.value());
        else if (n instanceof YamlNode.Mapping) {
            Obj r = obj(n, path + ".runtime");
            r.knows("type");
            type = r.string("type", "native");
            for (YamlNode.Entry e : r.map.entries().values()) r.accept(e.key());
        } else if (n instanceof YamlNode.Scalar) type = "native";
        else error(path + ".runtime", "expected a string or a mapping with 'type', got " + n.describe(), n.origin());
        if (type == null) return "native";
        if ("virtualenv".equals(type)) error(path + ".runtime", "runtime 'virtualenv' is not supported", n.origin());
        else if (!"native".equals(type))
            warn(n.origin(), path + ".runtime", "runtime '" + type + "' is not supported by this implementation; running natively");
        return type;
    }

    private AdapterConfig adapter(YamlNode node, String path) {
        Obj o = obj(node, path);
        if (o == null) return null;
        o.knows("type", "host", "port", "base_path", "origins", "websocket", "input_paths", "allow_private_urls", "min_upload_rate", "upload_timeout",
                    "max_concurrent_uploads", "cancel_on_disconnect", "memory_budget", "output_memory", "output_disk", "inline_output_limit",
                    "max_image_pixels");
        String type = o.string("type", null);
        if (type == null) {
            error(path + ".type", "required (http-server, mcp-server or queue-subscriber)", node.origin());
            type = "http-server";
        } else if (!List.of("http-server", "mcp-server", "queue-subscriber").contains(type)) {
            error(path + ".type", "unknown adapter type '" + type + "' (known: http-server, mcp-server, queue-subscriber)", o.map.get("type").origin());
        }
        String host = o.string("host", "127.0.0.1");
        int port = o.integer("port", 8080, 0);
        if (port < 1 || port > 65535) {
            error(path + ".port", "must be between 1 and 65535, got " + port, o.map.get("port").origin());
            port = 8080;
        }
        String basePath = o.string("base_path", null);
        List<String> origins = new ArrayList<>();
        Object rawOrigins = o.plain("origins");
        if (rawOrigins == null) origins.add("*");
        else if (rawOrigins instanceof List<?> list) list.forEach(x -> origins.add(String.valueOf(x).strip()));
        else for (String part : String.valueOf(rawOrigins).split(",")) if (!part.isBlank()) origins.add(part.strip());
        WebSocketConfig ws = WebSocketConfig.defaults();
        YamlNode wsNode = o.node("websocket");
        if (wsNode instanceof YamlNode.Scalar s && s.value() instanceof Boolean b) ws = b ? WebSocketConfig.defaults() : null;
        else if (wsNode instanceof YamlNode.Mapping) {
            Obj w = obj(wsNode, path + ".websocket");
            w.knows("path", "max_connection_count", "ping_interval", "ping_timeout");
            ws = new WebSocketConfig(w.string("path", "/ws"), w.integer("max_connection_count", null, 1),
                    w.duration("ping_interval", Duration.ofSeconds(30)), w.duration("ping_timeout", Duration.ofSeconds(10)));
            w.finish();
        } else if (wsNode != null && !(wsNode instanceof YamlNode.Scalar s2 && s2.value() == null)) {
            error(path + ".websocket", "expected true, false or a mapping, got " + wsNode.describe(), wsNode.origin());
        }
        List<String> inputPaths = inputPaths(o, path);
        boolean allowPrivateUrls = o.bool("allow_private_urls", false);
        HttpLimits limits = limits(o);
        o.finish();
        return new AdapterConfig(type, host, port, basePath, origins, ws, inputPaths, allowPrivateUrls, limits);
    }

    private HttpLimits limits(Obj o) {
        HttpLimits d = HttpLimits.defaults();
        return new HttpLimits(o.size("min_upload_rate", d.minUploadRate(), 0), o.duration("upload_timeout", d.uploadTimeout()),
                o.integer("max_concurrent_uploads", d.maxConcurrentUploads(), 1), o.bool("cancel_on_disconnect", d.cancelOnDisconnect()),
                o.size("memory_budget", d.memoryBudget(), 1), o.size("output_memory", d.outputMemory(), 1), o.size("output_disk", d.outputDisk(), 0),
                o.size("inline_output_limit", d.inlineOutputLimit(), 0), o.size("max_image_pixels", d.maxImagePixels(), 1));
    }

    /** {@code input_paths}: a directory or a list of them. */
    private List<String> inputPaths(Obj o, String path) {
        List<String> out = new ArrayList<>();
        YamlNode n = o.node("input_paths");
        Object raw = n == null ? null : n.toPlain();
        if (raw == null) return out;
        for (Object item : raw instanceof List<?> list ? list : List.of(raw)) {
            if (item instanceof String s && !s.isBlank()) out.add(s.strip());
            else error(path + ".input_paths", "expected directory names, got " + (item == null ? "null" : "'" + item + "'"), n.origin());
        }
        return out;
    }

    private WebUiConfig webui(YamlNode node) {
        Obj o = obj(node, "controller.webui");
        if (o == null) return null;
        o.knows("driver", "host", "port", "static_dir", "command", "server_dir");
        String driver = o.string("driver", "gradio");
        if (!List.of("gradio", "static", "dynamic").contains(driver))
            error("controller.webui.driver", "expected gradio, static or dynamic, got \"" + driver + "\"", o.map.get("driver").origin());
        String host = o.string("host", "127.0.0.1");
        int port = o.integer("port", 8081, 1);
        if (port > 65535) error("controller.webui.port", "must be between 1 and 65535, got " + port, o.map.get("port").origin());
        String staticDir = o.string("static_dir", "dynamic".equals(driver) ? "webui/static" : "webui");
        String command = o.string("command", null);
        if ("dynamic".equals(driver) && command == null) error("controller.webui.command", "required for driver dynamic", node.origin());
        String serverDir = o.string("server_dir", "webui/server");
        o.finish();
        return new WebUiConfig(driver, host, port, staticDir, command, serverDir);
    }

    // ------------------------------------------------------------------------------------------ workflows and jobs

    private WorkflowConfig workflow(YamlNode node, String path, int index, Set<String> taken) {
        Obj o = obj(node, path);
        if (o == null) return null;
        o.knows("id", "name", "title", "description", "job", "jobs", "output", "default", "private");
        String id = o.string("id", null);
        boolean explicit = id != null;
        if ("__default__".equals(id)) {
            error(path + ".id", "'__default__' is reserved; choose another id", o.map.get("id").origin());
            explicit = false;
            id = null;
        }
        if (id == null) id = defaultId(WorkflowConfig.DEFAULT_ID, index, taken);
        String name = o.string("name", null);
        String title = o.string("title", null);
        String description = o.string("description", null);
        boolean isDefault = o.bool("default", false);
        boolean isPrivate = o.bool("private", false);

        List<JobConfig> jobs = new ArrayList<>();
        Object output;
        boolean hasJobs = o.has("job") || o.has("jobs");
        boolean inlineJob = !hasJobs && (o.has("component") || o.has("action") || o.has("input") || o.has("repeat_count")
                || o.has("depends_on"));
        if (hasJobs) {
            output = o.plain("output");
            List<YamlNode> nodes = items(o, "job", "jobs");
            Set<String> jobIds = new HashSet<>();
            for (int i = 0; i < nodes.size(); i++) {
                JobConfig j = job(nodes.get(i), path + ".jobs[" + i + "]", i, jobIds);
                if (j == null) continue;
                if (!jobIds.add(j.id())) error(path + ".jobs[" + i + "].id", "duplicate job id '" + j.id() + "'", nodes.get(i).origin());
                jobs.add(j);
            }
        } else if (inlineJob) {
            // (L2) job keys written on the workflow itself (releases before 2026-03): they are its one job, output included.
            Map<String, YamlNode.Entry> moved = new LinkedHashMap<>();
            for (String k : JOB_KEYS) {
                if (o.has(k)) {
                    moved.put(k, o.map.entries().get(k));
                    o.accept(k);
                }
            }
            note(node.origin(), path, "legacy inline job (" + String.join(", ", moved.keySet()) + " on the workflow): read as its job");
            JobConfig j = job(new YamlNode.Mapping(moved, node.origin()), path + ".jobs[0]", 0, new HashSet<>());
            if (j != null) jobs.add(j);
            output = null;
        } else {
            // No jobs at all: one default job runs the default component with the whole input.
            output = o.plain("output");
            jobs.add(new JobConfig(JobConfig.DEFAULT_ID, "component", JobConfig.DEFAULT_REF, null, JobConfig.DEFAULT_REF, null, null,
                    1L, List.of(), 25, null, null));
        }
        o.finish();
        return new WorkflowConfig(id, explicit, name, title, description, jobs, output, isDefault, isPrivate);
    }

    private JobConfig job(YamlNode node, String path, int index, Set<String> taken) {
        Obj o = obj(node, path);
        if (o == null) return null;
        o.knows("id", "type", "component", "action", "input", "output", "repeat_count", "depends_on", "max_run_count", "retry",
                "on_error", "interrupt", "hook", "name", "description");
        o.accept("name", "description");
        String id = o.string("id", null);
        if ("__default__".equals(id)) {
            error(path + ".id", "'__default__' is reserved; choose another id", o.map.get("id").origin());
            id = null;
        }
        if (id == null) id = defaultId(JobConfig.DEFAULT_ID, index, taken);
        String type = o.string("type", "component");
        if (!"component".equals(type)) {
            error(path + ".type", "job type '" + type + "' is not supported by this implementation (supported: component)",
                    o.map.get("type").origin());
        }
        String componentId = JobConfig.DEFAULT_REF;
        ComponentConfig inline = null;
        YamlNode c = o.node("component");
        if (c instanceof YamlNode.Mapping) {
            inline = component(c, path + ".component", 0, new HashSet<>());
            if (inline != null) componentId = inline.id();
        } else if (c instanceof YamlNode.Scalar s && s.value() != null) {
            componentId = String.valueOf(s.value());
        } else if (c != null && !(c instanceof YamlNode.Scalar)) {
            error(path + ".component", "expected a component id or a component mapping, got " + c.describe(), c.origin());
        }
        String action = o.string("action", JobConfig.DEFAULT_REF);
        Object input = o.plain("input");
        Object output = o.plain("output");
        Object repeat = 1L;
        YamlNode r = o.node("repeat_count");
        if (r != null && !(r instanceof YamlNode.Scalar s && s.value() == null)) {
            Object v = r.toPlain();
            Long n = asLong(r);
            if (isTemplate(v)) repeat = v;
            else if (n != null && n >= 1) repeat = n;
            else error(path + ".repeat_count", "expected an integer >= 1 or a ${...} template, got " + r.describe(), r.origin());
        }
        List<List<String>> dependsOn = new ArrayList<>();
        YamlNode d = o.node("depends_on");
        if (d instanceof YamlNode.Scalar s && s.value() != null) dependsOn.add(List.of(String.valueOf(s.value())));
        else if (d instanceof YamlNode.Sequence seq) {
            for (YamlNode item : seq.items()) {
                if (item instanceof YamlNode.Scalar s && s.value() != null) dependsOn.add(List.of(String.valueOf(s.value())));
                else if (item instanceof YamlNode.Sequence alt) dependsOn.add(alt.items().stream().map(x -> String.valueOf(x.toPlain())).toList());
                else error(path + ".depends_on", "expected job ids, got " + item.describe(), item.origin());
            }
        } else if (d != null && !(d instanceof YamlNode.Scalar)) {
            error(path + ".depends_on", "expected a job id or a list of job ids, got " + d.describe(), d.origin());
        }
        int maxRun = o.integer("max_run_count", 25, 1);
        RetryConfig retry = retry(o.node("retry"), path + ".retry");
        OnErrorConfig onError = onError(o.node("on_error"), path + ".on_error");
        for (String k : List.of("interrupt", "hook")) {
            if (o.has(k)) {
                o.node(k);
                warn(o.map.entries().get(k).keyOrigin(), path + "." + k, "not supported by this implementation, ignored");
            }
        }
        o.finish();
        return new JobConfig(id, type, componentId, inline, action, input, output, repeat, dependsOn, maxRun, retry, onError);
    }

    private RetryConfig retry(YamlNode node, String path) {
        if (node == null || node instanceof YamlNode.Scalar s && s.value() == null) return null;
        Long n = asLong(node);
        if (n != null) {
            if (n < 0) error(path, "must be at least 0, got " + n, node.origin());
            return new RetryConfig((int) Math.max(1, n + 1), Duration.ZERO, "fixed", null);
        }
        Obj o = obj(node, path);
        if (o == null) return null;
        o.knows("max_attempt_count", "delay", "backoff", "max_delay");
        int attempts = o.integer("max_attempt_count", 3, 1);
        Duration delay = o.duration("delay", Duration.ZERO);
        String backoff = o.string("backoff", "fixed");
        if (!List.of("fixed", "exponential").contains(backoff))
            error(path + ".backoff", "expected fixed or exponential, got \"" + backoff + "\"", o.map.get("backoff").origin());
        Duration maxDelay = o.duration("max_delay", null);
        o.finish();
        return new RetryConfig(attempts, delay, backoff, maxDelay);
    }

    private OnErrorConfig onError(YamlNode node, String path) {
        if (node == null || node instanceof YamlNode.Scalar s && s.value() == null) return null;
        if (node instanceof YamlNode.Scalar s) {
            if ("ignore".equals(s.value())) return new OnErrorConfig(true, null, null);
            error(path, "expected \"ignore\" or a mapping with 'output', got " + node.describe(), node.origin());
            return null;
        }
        Obj o = obj(node, path);
        if (o == null) return null;
        o.knows("output", "to");
        OnErrorConfig c = new OnErrorConfig(false, o.plain("output"), o.string("to", null));
        if (c.to() != null) warn(o.map.entries().get("to").keyOrigin(), path + ".to", "jumping to another job on error is not supported, ignored");
        o.finish();
        return c;
    }

    // ------------------------------------------------------------------------------------------ components

    private ComponentConfig component(YamlNode node, String path, int index, Set<String> taken) {
        Obj o = obj(node, path);
        if (o == null) return null;
        o.knows("id", "type", "runtime", "max_concurrent_count", "default", "action", "actions", "task", "driver", "family",
                "architecture", "model", "scale", "device", "device_mode", "precision", "quantization", "low_cpu_mem_usage",
                "peft_adapters", "runtime_spec", "preload", "on_demand", "name", "description");
        String id = o.string("id", null);
        if (id == null) id = defaultId(ComponentConfig.DEFAULT_ID, index, taken);
        String type = o.string("type", null);
        if (type == null) {
            error(path + ".type", "required (this implementation runs type: model with task: image-upscale)", node.origin());
            return null;
        }
        int max = o.integer("max_concurrent_count", 0, 0);
        boolean isDefault = o.bool("default", false);
        String task = o.string("task", null);
        if (!"model".equals(type) || !ImageUpscaleConfig.TASK.equals(task)) {
            String detail = "model".equals(type) ? "model task '" + task + "'" : "type '" + type + "'";
            warn(o.map.get("type").origin(), path, "component " + detail
                    + " is not supported by this implementation (only type: model with task: image-upscale); running it will fail");
            for (YamlNode.Entry e : o.map.entries().values()) o.accept(e.key());
            return new UnsupportedComponentConfig(id, type, detail, max, isDefault);
        }
        o.accept("name", "description");
        String driver = o.string("driver", "custom");
        if (!"custom".equals(driver))
            error(path + ".driver", "task image-upscale supports only driver 'custom', got \"" + driver + "\"", o.map.get("driver").origin());

        String family = o.string("family", null);
        String architecture = o.string("architecture", null);
        if (family != null && architecture != null && !family.equals(architecture))
            error(path + ".architecture", "conflicts with family '" + family + "' (architecture is another name for family)",
                    o.map.get("architecture").origin());
        if (family == null) family = architecture;
        String familyPath = path + (o.has("family") ? ".family" : ".architecture");
        if (family == null) {
            error(path + ".family", "required: real-esrgan or esrgan", node.origin());
            family = "real-esrgan";
        } else if (!ImageUpscaleConfig.FAMILIES.contains(family)) {
            boolean upstream = List.of("swinir", "ldsr").contains(family);
            error(familyPath, "family '" + family + "' is " + (upstream ? "not supported by this implementation" : "unknown")
                    + " (supported: real-esrgan, esrgan)", o.map.get(o.has("family") ? "family" : "architecture").origin());
            family = "real-esrgan";
        }

        Object model = o.plain("model");
        if (model == null) error(path + ".model", "required: a catalogue name, a local path, or {provider: huggingface, repository, filename}", node.origin());
        else if (!(model instanceof String) && !(model instanceof Map))
            error(path + ".model", "expected a name, a path or a mapping, got " + o.map.get("model").describe(), o.map.get("model").origin());

        Integer scale = o.integer("scale", null, 1);
        String device = deviceSpec(o, path);
        boolean preload = o.bool("preload", true);
        o.plain("on_demand");
        String precision = precision(o, path);
        for (String k : List.of("device_mode", "quantization", "low_cpu_mem_usage", "peft_adapters", "runtime_spec"))
            o.plain(k);
        String runtime = runtime(o, path);

        List<Action> actions = new ArrayList<>();
        boolean hasActions = o.has("action") || o.has("actions");
        boolean inline = !hasActions && ACTION_KEYS.stream().anyMatch(o::has);
        Set<String> actionIds = new HashSet<>();
        if (hasActions) {
            List<YamlNode> nodes = items(o, "action", "actions");
            for (int i = 0; i < nodes.size(); i++) {
                Action a = action(nodes.get(i), path + ".actions[" + i + "]", i, actionIds, family);
                if (a == null) continue;
                if (!actionIds.add(a.id())) error(path + ".actions[" + i + "].id", "duplicate action id '" + a.id() + "'", nodes.get(i).origin());
                actions.add(a);
            }
        } else if (inline) {
            // (L3) action keys written on the component (releases before 2026-03): they are its one action.
            Map<String, YamlNode.Entry> moved = new LinkedHashMap<>();
            for (String k : ACTION_KEYS) {
                if (o.has(k)) {
                    moved.put(k, o.map.entries().get(k));
                    o.accept(k);
                }
            }
            Action a = action(new YamlNode.Mapping(moved, node.origin()), path + ".actions[0]", 0, actionIds, family);
            if (a != null) actions.add(a);
        } else {
            error(path + ".action", "required: e.g. action: {image: ${input.image as image}}", node.origin());
        }
        for (String misplaced : List.of("tile_size", "tile_pad_size", "tile_pad", "pre_pad_size", "tile_batch_size")) {
            if (o.has(misplaced)) {
                warn(o.map.entries().get(misplaced).keyOrigin(), path + "." + misplaced,
                        "ignored here: tiling options go under the action's params (action.params." + misplaced + ")");
                o.accept(misplaced);
            }
        }
        o.finish();
        return new ImageUpscaleConfig(id, driver, family, model, scale, device, precision, preload, max, isDefault, runtime, actions);
    }

    private Action action(YamlNode node, String path, int index, Set<String> taken, String family) {
        Obj o = obj(node, path);
        if (o == null) return null;
        o.knows("id", "image", "color_format", "batch_size", "output", "params", "default", "name", "description");
        o.accept("name", "description");
        String id = o.string("id", null);
        if (id == null) id = defaultId(ComponentConfig.ActionConfig.DEFAULT_ID, index, taken);
        Object image = o.plain("image");
        if (image == null) error(path + ".image", "required: e.g. image: ${input.image as image}", node.origin());
        else if (!(image instanceof String) && !(image instanceof List))
            error(path + ".image", "expected a ${...} template or a list of them, got " + o.map.get("image").describe(), o.map.get("image").origin());
        String color = o.string("color_format", "rgb");
        if (!"rgb".equals(color) && !"bgr".equals(color)) {
            error(path + ".color_format", "expected rgb or bgr, got \"" + color + "\"", o.map.get("color_format").origin());
            color = "rgb";
        }
        Object batch = 1L;
        YamlNode b = o.node("batch_size");
        if (b != null && !(b instanceof YamlNode.Scalar s && s.value() == null)) {
            Long n = asLong(b);
            if (isTemplate(b.toPlain())) batch = b.toPlain();
            else if (n != null && n >= 1) batch = n;
            else error(path + ".batch_size", "expected an integer >= 1, got " + b.describe(), b.origin());
        }
        Object output = o.plain("output");
        boolean isDefault = o.bool("default", false);
        Params params = params(o.node("params"), path + ".params", family);
        for (String misplaced : List.of("tile_size", "tile_pad_size", "tile_pad", "pre_pad_size", "tile_batch_size")) {
            if (o.has(misplaced))
                warn(o.map.entries().get(misplaced).keyOrigin(), path + "." + misplaced, "ignored here: tiling options go under params"
                        + " (params." + misplaced + ")");
            o.accept(misplaced);
        }
        o.finish();
        return new Action(id, image, color, batch, output, params, isDefault);
    }

    private Params params(YamlNode node, String path, String family) {
        Params d = Params.defaults(family);
        if (node == null || node instanceof YamlNode.Scalar s && s.value() == null) return d;
        Obj o = obj(node, path);
        if (o == null) return d;
        boolean esrgan = "esrgan".equals(family);
        if (esrgan) o.knows("tile_size", "tile_pad_size", "pre_pad_size", "half_precision");
        else o.knows("tile_batch_size", "tile_size", "tile_pad_size", "pre_pad_size", "denoise_strength", "half_precision");
        Object tileSize = intParam(o, "tile_size", d.tileSize(), 0);
        if (tileSize instanceof Long t && t > 0 && t < 32) {
            note(o.map.get("tile_size").origin(), path + ".tile_size", "tiles of " + t + " px are too small for the runner; using 32");
            tileSize = 32L;
        }
        Object tilePad;
        if (o.has("tile_pad") && o.has("tile_pad_size")) {
            warn(o.map.entries().get("tile_pad").keyOrigin(), path + ".tile_pad", "ignored: tile_pad_size is also given");
            o.accept("tile_pad");
            tilePad = intParam(o, "tile_pad_size", d.tilePadSize(), 0);
        } else if (o.has("tile_pad")) {
            tilePad = intParam(o, "tile_pad", d.tilePadSize(), 0);  // the README's spelling of tile_pad_size
        } else {
            tilePad = intParam(o, "tile_pad_size", d.tilePadSize(), 0);
        }
        Object prePad = intParam(o, "pre_pad_size", d.prePadSize(), 0);
        Object tileBatch = d.tileBatchSize();
        Object denoise = d.denoiseStrength();
        Object half = d.halfPrecision();
        if (!esrgan) {
            tileBatch = intParam(o, "tile_batch_size", d.tileBatchSize(), 1);
            if (o.has("tile_batch_size"))
                note(o.map.entries().get("tile_batch_size").keyOrigin(), path + ".tile_batch_size",
                        "accepted and ignored: the runner plans tiles and batches them itself");
            YamlNode dn = o.node("denoise_strength");
            if (dn != null) {
                Object v = dn.toPlain();
                if (v instanceof Number || isTemplate(v)) denoise = v instanceof Long l ? (double) l : v;
                else error(path + ".denoise_strength", "expected a number, got " + dn.describe(), dn.origin());
            }
        }
        YamlNode hp = o.node("half_precision");
        if (hp != null) {
            Boolean v = asBoolean(hp);
            if (v != null) half = v;
            else if (isTemplate(hp.toPlain())) half = hp.toPlain();
            else error(path + ".half_precision", "expected true or false, got " + hp.describe(), hp.origin());
            if (Boolean.TRUE.equals(v)) note(hp.origin(), path + ".half_precision", "ignored: inference runs in fp32 (as upstream does)");
        }
        o.finish();
        return new Params(tileSize, tilePad, prePad, tileBatch, denoise, half);
    }

    private Object intParam(Obj o, String key, Object def, int min) {
        YamlNode n = o.node(key);
        if (n == null || n instanceof YamlNode.Scalar s && s.value() == null) return def;
        Object v = n.toPlain();
        if (isTemplate(v)) return v;
        Long l = asLong(n);
        if (l == null) {
            error(o.at(key), "expected an integer, got " + n.describe(), n.origin());
            return def;
        }
        if (l < min) {
            error(o.at(key), "must be at least " + min + ", got " + l, n.origin());
            return def;
        }
        return l;
    }
}
