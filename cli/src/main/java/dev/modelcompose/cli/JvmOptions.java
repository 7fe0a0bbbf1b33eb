package dev.modelcompose.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options of every JVM model-compose starts for the user ({@code up -d}, a launcher script), kept in one place:
 * the resource {@value #RESOURCE} in the jar. A launcher reads them with {@code unzip -p model-compose.jar }{@value
 * #RESOURCE} or by running this class, which prints them one per line.
 */
public final class JvmOptions {
    static final String RESOURCE = "META-INF/model-compose/jvm-options";

    private JvmOptions() {}

    /** The options, in order (today: exit at once on an OutOfMemoryError instead of limping on). */
    public static List<String> required() {
        try (InputStream in = JvmOptions.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the class path");
            List<String> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("#")) out.add(l);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code inherited} (this JVM's own options) with the required ones added when missing. */
    static List<String> with(List<String> inherited) {
        List<String> out = new ArrayList<>(inherited);
        for (String option : required()) if (!out.contains(option)) out.add(option);
        return out;
    }

    public static void main(String[] args) {
        required().forEach(System.out::println);
    }
}
