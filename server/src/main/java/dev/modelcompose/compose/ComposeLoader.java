package dev.modelcompose.compose;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads compose files (contract §1.1): finds them, reads the environment, substitutes {@code ${env.*}}, parses each
 * file, deep-merges them left to right and reads the result into a {@link ComposeConfig}.
 *
 * <pre>{@code
 * ComposeProject p = ComposeLoader.load(new ComposeLoader.Options(Path.of("."), List.of(), List.of(), List.of(), System.getenv()));
 * }</pre>
 */
public final class ComposeLoader {
    public static final List<String> DEFAULT_FILES = List.of("model-compose.yml", "model-compose.yaml");

    /**
     * @param workingDir where {@code model-compose.yml}, {@code .env} and relative paths are looked up
     * @param files      {@code -f} files in order; empty = discover {@code model-compose.yml}/{@code .yaml}
     * @param envFiles   {@code --env-file} files; empty = {@code ./.env} when it exists
     * @param envEntries {@code -e KEY=VALUE}
     * @param processEnv the process environment (System.getenv())
     */
    public record Options(Path workingDir, List<Path> files, List<Path> envFiles, List<String> envEntries, Map<String, String> processEnv) {
        public Options {
            workingDir = workingDir.toAbsolutePath().normalize();
            files = files == null ? List.of() : List.copyOf(files);
            envFiles = envFiles == null ? List.of() : List.copyOf(envFiles);
            envEntries = envEntries == null ? List.of() : List.copyOf(envEntries);
            processEnv = processEnv == null ? Map.of() : Map.copyOf(processEnv);
        }

        /** The files in the working directory, the process environment, nothing else. */
        public static Options in(Path workingDir) {
            return new Options(workingDir, List.of(), List.of(), List.of(), System.getenv());
        }
    }

    private ComposeLoader() {}

    /**
     * @throws ComposeException {@code model-compose.yml or .yaml not found}, a missing {@code -f} file, an unset
     *     variable, {@code YAML parsing error:...}, or {@code Config validation failed:} with one line per problem
     */
    public static ComposeProject load(Options options) {
        Map<String, String> env = ComposeEnvironment.build(options.workingDir(), options.envFiles(), options.processEnv(), options.envEntries());
        List<Path> files = new ArrayList<>();
        if (options.files().isEmpty()) {
            for (String name : DEFAULT_FILES) {
                Path p = options.workingDir().resolve(name);
                if (Files.isRegularFile(p)) {
                    files.add(p);
                    break;
                }
            }
            if (files.isEmpty()) throw new ComposeException("model-compose.yml or .yaml not found in " + options.workingDir());
        } else {
            for (Path f : options.files()) {
                Path p = options.workingDir().resolve(f).normalize();
                if (Files.isDirectory(p)) throw new ComposeException("Compose file '" + f + "' is a directory.");
                if (!Files.isRegularFile(p)) throw new ComposeException("Compose file '" + f + "' does not exist.");
                files.add(p);
            }
        }
        List<Diagnostic> diagnostics = new ArrayList<>();
        YamlNode merged = null;
        for (int i = 0; i < files.size(); i++) {
            Path p = files.get(i);
            String label = options.files().isEmpty() ? p.getFileName().toString() : options.files().get(i).toString();
            String text;
            try {
                text = Files.readString(p, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ComposeException("cannot read " + label + ": " + e.getMessage());
            }
            YamlNode node = YamlReader.read(EnvSubstitution.apply(text, env, label), label, diagnostics::add);
            merged = merged == null ? node : YamlNode.merge(merged, node);
        }
        ComposeConfig config = read(merged, diagnostics);
        Path dir = files.get(0).toAbsolutePath().getParent();
        String projectName = dir == null || dir.getFileName() == null ? null : dir.getFileName().toString();
        return new ComposeProject(config, files, options.workingDir(), projectName, env, diagnostics);
    }

    /** A config given as text (tests, embedding): {@code ${env.*}} from {@code env}, relative paths from {@code workingDir}. */
    public static ComposeProject loadString(String yaml, String label, Path workingDir, Map<String, String> env) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        YamlNode node = YamlReader.read(EnvSubstitution.apply(yaml, env, label), label, diagnostics::add);
        ComposeConfig config = read(node, diagnostics);
        return new ComposeProject(config, List.of(), workingDir.toAbsolutePath().normalize(), null, env, diagnostics);
    }

    private static ComposeConfig read(YamlNode root, List<Diagnostic> diagnostics) {
        SchemaReader reader = new SchemaReader(diagnostics::add);
        ComposeConfig config = reader.read(root);
        if (!reader.errors().isEmpty()) throw new ComposeException("Config validation failed:", reader.errors());
        return config;
    }
}
