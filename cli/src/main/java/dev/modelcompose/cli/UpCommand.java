package dev.modelcompose.cli;

import dev.modelcompose.compose.ComposeProject;
import dev.modelcompose.compose.ControllerConfig;
import dev.modelcompose.http.ComposeServer;
import dev.modelcompose.models.ModelProvisioner;
import dev.modelcompose.runtime.ComposeRuntime;
import dev.modelcompose.runtime.ModelSource;
import dev.modelcompose.runtime.RuntimeOptions;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code model-compose up [-d]} (contract 3.1, 4): loads the models of the compose file (showing download progress),
 * then serves the HTTP API and the web page until Ctrl-C, SIGTERM or {@code model-compose down} (a {@code ./.stop}
 * file, checked once a second). Stopping is graceful: {@code /health} and new runs answer 503 while in-flight runs
 * finish (up to {@code shutdown_timeout}).
 */
@Command(name = "up", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Load the models and serve the workflows over HTTP (and the web page) until Ctrl-C or `model-compose down`.",
                "With -d it runs in the background; its pid goes to ./" + UpCommand.PID_FILE + "."})
public final class UpCommand implements Callable<Integer> {
    static final String PID_FILE = ".model-compose.pid";
    static final String STOP_FILE = ".stop";

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Mixin
    ComposeOptions compose = new ComposeOptions();

    @Option(names = {"-d", "--detach"}, description = "run in the background (stop it with `model-compose down`)")
    boolean detach;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ComposeOptions options = compose.mergedWith(main == null ? null : main.compose);
        Path cwd = Path.of(System.getProperty("user.dir"));
        ComposeProject project = options.loadReporting(err, "Error: ");
        if (project == null) return ErrorHandler.EXIT_FAILURE;
        List<String> problems = ComposeRuntime.check(project.config());
        if (!problems.isEmpty()) {
            err.println("❌ Error: the configuration has semantic errors:");
            problems.forEach(p -> err.println("  - " + p));
            return ErrorHandler.EXIT_FAILURE;
        }
        if (detach) return detach(cwd, out, err);

        try {
            Files.deleteIfExists(cwd.resolve(STOP_FILE)); // a stale one from a `down` without a server
        } catch (IOException ignored) {
            // checked again below
        }
        RuntimeOptions runtimeOptions = new RuntimeOptions(ModelSource.of(ModelProvisioner.standard(err::println, DownloadBars.forTerminal())),
                null, false, line -> {
                    err.println(line);
                    err.flush();
                });
        ComposeRuntime runtime = ComposeRuntime.create(project, runtimeOptions);
        ComposeServer server;
        try {
            err.println("Loading the models...");
            err.flush();
            runtime.start();
            ControllerConfig controller = project.config().controller();
            server = new ComposeServer(runtime, ComposeServer.Settings.defaults()).start();
            ControllerConfig.WebUiConfig ui = controller.webui();
            if (ui != null && "dynamic".equals(ui.driver()))
                err.println("warning: webui driver 'dynamic' is not supported; serving the built-in page instead");
        } catch (RuntimeException e) {
            runtime.close();
            err.println("❌ Error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (options.verbose) e.printStackTrace(err);
            err.flush();
            return ErrorHandler.EXIT_FAILURE;
        }
        List<String> addresses = server.addresses();
        out.println("🚀 HTTP API:  " + addresses.get(0) + "  (e.g. curl -X POST " + addresses.get(0) + "/workflows/runs -F \"image=@photo.jpg\")");
        if (addresses.size() > 1) out.println("🖥️  Web UI:    " + addresses.get(1));
        out.println("Press Ctrl-C to stop.");
        out.flush();

        Thread hook = new Thread(() -> {
            server.shutdown();
            runtime.close();
        }, "model-compose-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Path stop = cwd.resolve(STOP_FILE);
        while (!server.isStopped()) {
            if (Files.exists(stop)) {
                try {
                    Files.deleteIfExists(stop);
                } catch (IOException ignored) {
                    // stop anyway
                }
                err.println("Stopping (in-flight runs finish first)...");
                err.flush();
                server.shutdown();
                break;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                server.shutdown();
                break;
            }
        }
        server.awaitStopped();
        runtime.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running
        }
        deletePidFile(cwd);
        err.println("Stopped.");
        return 0;
    }

    private static void deletePidFile(Path cwd) {
        Path pid = cwd.resolve(PID_FILE);
        try {
            if (Files.exists(pid) && Files.readString(pid).strip().equals(String.valueOf(ProcessHandle.current().pid()))) Files.delete(pid);
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Re-launches this command line without -d, in a new session when setsid exists, stdio to /dev/null. */
    private int detach(Path cwd, PrintWriter out, PrintWriter err) {
        List<String> args = spec.root().commandLine().getParseResult().originalArgs();
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) cmd.add("/usr/bin/setsid");
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmOptions.with(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        for (String a : args) if (!a.equals("-d") && !a.equals("--detach")) cmd.add(a);
        try {
            Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Files.writeString(cwd.resolve(PID_FILE), p.pid() + "\n");
            out.println("model-compose is starting in the background (pid " + p.pid() + "); stop it with `model-compose down`.");
            return 0;
        } catch (IOException e) {
            err.println("❌ Error: cannot start in the background: " + e.getMessage());
            return ErrorHandler.EXIT_FAILURE;
        }
    }
}
