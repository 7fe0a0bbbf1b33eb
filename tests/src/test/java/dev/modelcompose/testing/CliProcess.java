package dev.modelcompose.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code model-compose} as a separate process, like a user runs it, on the test classpath; output goes to a log file. */
public final class CliProcess {
    private static final String MAIN = "dev.modelcompose.cli.Main";

    private CliProcess() {}

    /** Starts {@code model-compose ARGS} in {@code workDir}, stdout and stderr to {@code log}. */
    public static Process start(Path workDir, Path log, String... args) throws IOException {
        return start(workDir, log, java.util.Map.of(), args);
    }

    /** The same with more environment variables. */
    public static Process start(Path workDir, Path log, java.util.Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), MAIN));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Waits until the process has logged {@code marker}; fails if it ends first or the limit passes. */
    public static void awaitLog(Process p, Path log, String marker, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!Files.readString(log).contains(marker)) {
            assertTrue(p.isAlive(), () -> "ended before logging '" + marker + "':\n" + read(log));
            assertTrue(System.nanoTime() < deadline, () -> "no '" + marker + "' within " + limit + ":\n" + read(log));
            Thread.sleep(20);
        }
    }

    /** The log so far, for failure messages. */
    public static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(unreadable log: " + e + ")";
        }
    }
}
