package dev.modelcompose.compose;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load-time {@code ${env.NAME}} and {@code ${env.NAME|default}}: replaced in the raw file text, before YAML parsing,
 * so they may stand anywhere (inside other expressions, as numbers). The value is inserted verbatim. The default has no
 * whitespace and no {@code }}; spaces around {@code |} are allowed (upstream leaves {@code ${env.X | d}} unreplaced).
 */
public final class EnvSubstitution {
    private static final Pattern ENV = Pattern.compile("\\$\\{\\s*env\\.([^\\s|}]+)(?:\\s*\\|\\s*([^\\s}]*))?\\s*}");

    private EnvSubstitution() {}

    /**
     * @throws ComposeException {@code Environment variable 'NAME' is not set and no default value provided}, with the
     *     file and line
     */
    public static String apply(String text, Map<String, String> env, String fileLabel) {
        Matcher m = ENV.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String name = m.group(1);
            String value = env.get(name);
            if (value == null) value = m.group(2);
            if (value == null) {
                int line = 1;
                for (int i = 0; i < m.start(); i++) if (text.charAt(i) == '\n') line++;
                throw new ComposeException("Environment variable '" + name + "' is not set and no default value provided ("
                        + fileLabel + ":" + line + ")");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
