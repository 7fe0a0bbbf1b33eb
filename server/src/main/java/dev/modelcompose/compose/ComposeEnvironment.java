package dev.modelcompose.compose;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The variables {@code ${env.NAME}} sees: the {@code .env} files ({@code --env-file} in order, or {@code ./.env} when
 * it exists and none is given), then the process environment, then {@code -e KEY=VALUE}; later sources win.
 */
public final class ComposeEnvironment {
    private ComposeEnvironment() {}

    public static Map<String, String> build(Path workingDir, List<Path> envFiles, Map<String, String> processEnv, List<String> overrides) {
        Map<String, String> env = new LinkedHashMap<>();
        if (envFiles == null || envFiles.isEmpty()) {
            Path dotEnv = workingDir.resolve(".env");
            if (Files.isRegularFile(dotEnv)) env.putAll(readDotEnv(dotEnv));
        } else {
            for (Path f : envFiles) {
                Path p = workingDir.resolve(f);
                if (!Files.isRegularFile(p)) throw new ComposeException("Env file '" + f + "' does not exist.");
                env.putAll(readDotEnv(p));
            }
        }
        if (processEnv != null) env.putAll(processEnv);
        if (overrides != null) env.putAll(parseOverrides(overrides));
        return env;
    }

    /** {@code -e KEY=VALUE} entries; one without {@code =} is {@code Invalid env entry: X}. */
    public static Map<String, String> parseOverrides(List<String> entries) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0) throw new ComposeException("Invalid env entry: " + entry);
            out.put(entry.substring(0, eq).strip(), entry.substring(eq + 1));
        }
        return out;
    }

    /**
     * A {@code .env} file as python-dotenv reads it: {@code KEY=VALUE} lines, an optional {@code export } prefix,
     * {@code #} comments, single- or double-quoted values (double quotes understand {@code \n}, {@code \t},
     * {@code \"} and {@code \\}), and {@code value # comment} for unquoted values.
     */
    public static Map<String, String> readDotEnv(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ComposeException("cannot read env file " + file + ": " + e.getMessage());
        }
        return parseDotEnv(text);
    }

    public static Map<String, String> parseDotEnv(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String raw : text.split("\\R")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            if (line.startsWith("export ")) line = line.substring(7).strip();
            int eq = line.indexOf('=');
            if (eq <= 0) continue;
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && value.charAt(0) == '"' && value.indexOf('"', 1) > 0) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if (c == '"') break;
                    if (c == '\\' && i + 1 < value.length()) {
                        char n = value.charAt(++i);
                        sb.append(switch (n) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            default -> n;
                        });
                    } else {
                        sb.append(c);
                    }
                }
                value = sb.toString();
            } else if (value.length() >= 2 && value.charAt(0) == '\'' && value.indexOf('\'', 1) > 0) {
                value = value.substring(1, value.indexOf('\'', 1));
            } else {
                int hash = value.indexOf(" #");
                if (hash >= 0) value = value.substring(0, hash).strip();
            }
            out.put(key, value);
        }
        return out;
    }
}
