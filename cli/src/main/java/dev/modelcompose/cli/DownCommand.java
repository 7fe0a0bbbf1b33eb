package dev.modelcompose.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code model-compose down} (contract 4): creates {@code ./.stop}, which the {@code up} running in this directory
 * notices within a second and stops gracefully. When {@code up -d} left a pid file, waits for that process to end,
 * and after {@code --timeout} sends it SIGTERM (which also stops gracefully).
 */
@Command(name = "down", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Stop the `model-compose up` running in this directory (in-flight runs finish first).")
public final class DownCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ComposeOptions compose = new ComposeOptions();

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60", description = "how long to wait for a background server (default: 60)")
    long timeoutSeconds;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path cwd = Path.of(System.getProperty("user.dir"));
        Path stop = cwd.resolve(UpCommand.STOP_FILE);
        try {
            Files.writeString(stop, "");
        } catch (IOException e) {
            err.println("❌ Error: cannot create " + stop + ": " + e.getMessage());
            return ErrorHandler.EXIT_FAILURE;
        }
        Path pidFile = cwd.resolve(UpCommand.PID_FILE);
        Optional<ProcessHandle> proc = Optional.empty();
        try {
            if (Files.exists(pidFile)) proc = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip()));
        } catch (IOException | NumberFormatException e) {
            err.println("warning: unreadable " + pidFile + ": " + e.getMessage());
        }
        if (proc.isEmpty() || !proc.get().isAlive()) {
            out.println("Asked the server in " + cwd + " to stop (" + UpCommand.STOP_FILE + ").");
            deleteQuietly(pidFile);
            return 0;
        }
        ProcessHandle p = proc.get();
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        while (p.isAlive() && System.nanoTime() < deadline) sleep(200);
        if (p.isAlive()) {
            err.println("the server (pid " + p.pid() + ") did not stop in " + timeoutSeconds + " s; sending SIGTERM");
            p.destroy();
            long hard = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (p.isAlive() && System.nanoTime() < hard) sleep(200);
        }
        deleteQuietly(pidFile);
        deleteQuietly(stop);
        if (p.isAlive()) {
            err.println("❌ Error: the server (pid " + p.pid() + ") is still running");
            return ErrorHandler.EXIT_FAILURE;
        }
        out.println("Stopped the server (pid " + p.pid() + ").");
        return 0;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
