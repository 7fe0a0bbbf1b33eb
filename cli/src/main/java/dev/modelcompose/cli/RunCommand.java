package dev.modelcompose.cli;

import dev.modelcompose.compose.ComposeProject;
import dev.modelcompose.expr.ByteSource;
import dev.modelcompose.expr.ExpressionException;
import dev.modelcompose.expr.InputAccess;
import dev.modelcompose.expr.PythonText;
import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.runtime.ComposeRuntime;
import dev.modelcompose.runtime.ModelSource;
import dev.modelcompose.runtime.RuntimeOptions;
import dev.modelcompose.runtime.Task;
import dev.modelcompose.runtime.WorkflowException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code model-compose run [WORKFLOW_ID] --input JSON [-o FILE]}: one workflow run, in-process, without a server. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Run a workflow of the compose file once and print or save its output.",
                "Image outputs are saved: to -o FILE, else next to the input image as NAME-output.png, else to ./output.png.",
                "Other outputs are printed: text as it is, anything else as JSON. A failure prints the reason as a JSON string and exits 1.",
                "Here `as image` also accepts the path of a local image file: --input '{\"image\": \"photo.jpg\"}'."})
public final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Mixin
    ComposeOptions compose = new ComposeOptions();

    @Parameters(index = "0", arity = "0..1", paramLabel = "WORKFLOW_ID",
            description = "the workflow to run (default: the only one, or the one with default: true)")
    String workflowId;

    @Option(names = {"-i", "--input"}, paramLabel = "JSON", defaultValue = "{}", description = "the workflow input as JSON (default: {})")
    String input;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "save the output here: images as PNG, JPG or WebP by the extension, other outputs as JSON or text")
    Path output;

    @Option(names = {"-m", "--metadata"}, paramLabel = "JSON", description = "metadata for the task (JSON)")
    String metadata;

    @Option(names = "--session-id", paramLabel = "ID", description = "session id for the task")
    String sessionId;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ComposeOptions options = compose.mergedWith(main == null ? null : main.compose);
        Object inputValue;
        Object metadataValue = null;
        try {
            inputValue = PythonText.parseJson(input);
        } catch (ExpressionException e) {
            err.println("❌ Invalid JSON provided for --input");
            return ErrorHandler.EXIT_FAILURE;
        }
        if (metadata != null) {
            try {
                metadataValue = PythonText.parseJson(metadata);
            } catch (ExpressionException e) {
                err.println("❌ Invalid JSON provided for --metadata");
                return ErrorHandler.EXIT_FAILURE;
            }
        }
        ComposeProject project = options.loadReporting(err, "");
        if (project == null) return ErrorHandler.EXIT_FAILURE;

        // Model downloads always report to stderr; the task log only with -v.
        // The input is the local user's own: ;path reads any file and ;url any address, as the user's shell could.
        RuntimeOptions runtimeOptions = new RuntimeOptions(ModelSource.standard(err::println), null, true,
                options.verbose ? err::println : line -> {}, InputAccess.local());
        Object result;
        try (ComposeRuntime runtime = ComposeRuntime.create(project, runtimeOptions)) {
            Task task = runtime.submit(workflowId, inputValue, new ComposeRuntime.RunOptions(sessionId, metadataValue));
            try {
                result = task.await();
            } catch (InterruptedException e) {
                task.cancel();
                Thread.currentThread().interrupt();
                return 130;
            }
        } catch (WorkflowException e) {
            out.println(PythonText.json(e.getMessage()));
            if (options.verbose) e.printStackTrace(err);
            return ErrorHandler.EXIT_FAILURE;
        }
        try {
            emit(result, inputValue, project.workingDir(), out, err);
        } catch (IOException e) {
            err.println("❌ cannot save the output: " + e.getMessage());
            return ErrorHandler.EXIT_FAILURE;
        }
        return 0;
    }

    // ---------------------------------------------------------------------------------------------- output

    private void emit(Object result, Object input, Path workingDir, PrintWriter out, PrintWriter err) throws IOException {
        if (result == null) return;
        Path target = output == null ? null : workingDir.resolve(output);
        if (result instanceof BufferedImage || result instanceof ByteSource || result instanceof byte[]) {
            Path saved = save(result, target != null ? target : defaultTarget(input, workingDir, extension(result)), err);
            err.println("saved " + describe(result) + " to " + saved);
            return;
        }
        if (result instanceof Map || result instanceof List) {
            // Images inside a JSON output are saved as files and replaced by their paths.
            Path base = target != null ? target : defaultTarget(input, workingDir, "png");
            List<Path> saved = new ArrayList<>();
            Object printable = replaceBinaries(result, base, "", saved, err);
            if (!saved.isEmpty()) err.println("saved " + saved.size() + " file(s): " + String.join(", ", saved.stream().map(Path::toString).toList()));
            String json = PythonText.prettyJson(printable);
            if (target != null) {
                Files.writeString(target, json + "\n", StandardCharsets.UTF_8);
                err.println("saved the output to " + target);
            } else {
                out.println(json);
            }
            return;
        }
        String text = PythonText.str(result);
        if (target != null) {
            Files.writeString(target, text, StandardCharsets.UTF_8);
            err.println("saved the output to " + target);
        } else {
            out.println(text);
        }
    }

    private static String describe(Object v) {
        if (v instanceof BufferedImage img) return "a " + img.getWidth() + "x" + img.getHeight() + " image";
        if (v instanceof ByteSource b) return b.mediaType();
        return ((byte[]) v).length + " bytes";
    }

    private static String extension(Object v) {
        if (v instanceof ByteSource b) {
            String m = b.mediaType() == null ? "" : b.mediaType().toLowerCase(Locale.ROOT);
            if (m.equals("image/jpeg")) return "jpg";
            if (m.equals("image/webp")) return "webp";
            if (m.equals("image/png")) return "png";
            return "bin";
        }
        return v instanceof byte[] ? "bin" : "png";
    }

    private Object replaceBinaries(Object v, Path base, String key, List<Path> saved, PrintWriter err) throws IOException {
        if (v instanceof BufferedImage || v instanceof ByteSource || v instanceof byte[]) {
            String name = base.getFileName().toString();
            int dot = name.lastIndexOf('.');
            String stem = dot > 0 ? name.substring(0, dot) : name;
            String ext = v instanceof BufferedImage ? (dot > 0 ? name.substring(dot + 1) : "png") : extension(v);
            Path p = save(v, base.resolveSibling(stem + (key.isEmpty() ? "" : "-" + key) + "." + ext), err);
            saved.add(p);
            return p.toString();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet())
                out.put(String.valueOf(e.getKey()), replaceBinaries(e.getValue(), base, key.isEmpty() ? String.valueOf(e.getKey())
                        : key + "-" + e.getKey(), saved, err));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < l.size(); i++)
                out.add(replaceBinaries(l.get(i), base, key.isEmpty() ? String.valueOf(i + 1) : key + "-" + (i + 1), saved, err));
            return out;
        }
        return v;
    }

    private static Path save(Object v, Path target, PrintWriter err) throws IOException {
        if (target.getParent() != null) Files.createDirectories(target.getParent());
        if (v instanceof BufferedImage img) {
            ImageFormat format = ImageFormat.fromPath(target).orElse(ImageFormat.PNG);
            if (img.getColorModel().hasAlpha() && !format.supportsAlpha())
                err.println("note: the image has transparency, which " + format.extension().toUpperCase(Locale.ROOT) + " cannot hold; it is lost");
            ImageFiles.write(img, target, format);
        } else {
            byte[] bytes = v instanceof ByteSource b ? b.bytes() : (byte[]) v;
            Files.write(target, bytes);
        }
        return target;
    }

    /** Next to the first input value that names a local file ({@code photo-output.png}), else {@code ./output.png}. */
    private static Path defaultTarget(Object input, Path workingDir, String ext) {
        Path in = firstLocalFile(input, workingDir);
        if (in != null && Files.isWritable(in.toAbsolutePath().getParent())) {
            String name = in.getFileName().toString();
            int dot = name.lastIndexOf('.');
            return in.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + "-output." + ext);
        }
        return workingDir.resolve("output." + ext);
    }

    private static Path firstLocalFile(Object v, Path workingDir) {
        if (v instanceof String s && !s.isBlank() && !s.startsWith("data:") && s.length() < 4096) {
            try {
                String expanded = s.startsWith("~/") ? System.getProperty("user.home") + s.substring(1) : s;
                Path p = workingDir.resolve(expanded);
                return Files.isRegularFile(p) ? p : null;
            } catch (InvalidPathException e) {
                return null;
            }
        }
        if (v instanceof Map<?, ?> m) {
            for (Object x : m.values()) {
                Path p = firstLocalFile(x, workingDir);
                if (p != null) return p;
            }
        }
        if (v instanceof List<?> l) {
            for (Object x : l) {
                Path p = firstLocalFile(x, workingDir);
                if (p != null) return p;
            }
        }
        return null;
    }
}
