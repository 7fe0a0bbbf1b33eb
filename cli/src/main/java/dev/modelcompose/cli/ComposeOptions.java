package dev.modelcompose.cli;

import dev.modelcompose.compose.ComposeException;
import dev.modelcompose.compose.ComposeLoader;
import dev.modelcompose.compose.ComposeProject;
import dev.modelcompose.compose.Diagnostic;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The compose options of {@code run} and {@code validate}: {@code -f}, {@code --env-file}, {@code -e}, {@code -v}.
 * They may also stand before the command ({@code model-compose -f x.yml run}), as upstream writes them.
 */
public final class ComposeOptions {
    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "compose file; repeat to merge several, later ones win (default: model-compose.yml or .yaml in the working directory)")
    List<Path> files = new ArrayList<>();

    @Option(names = "--env-file", paramLabel = "FILE", description = "env file for ${env.NAME} (repeatable; default: ./.env if it exists)")
    List<Path> envFiles = new ArrayList<>();

    @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "set a variable for ${env.NAME} (repeatable; wins over the environment)")
    List<String> env = new ArrayList<>();

    @Option(names = {"-v", "--verbose"}, description = "log what happens and show stack traces of errors")
    boolean verbose;

    /** These options after the command, added to those before it. */
    ComposeOptions mergedWith(ComposeOptions before) {
        ComposeOptions out = new ComposeOptions();
        if (before != null) {
            out.files.addAll(before.files);
            out.envFiles.addAll(before.envFiles);
            out.env.addAll(before.env);
            out.verbose = before.verbose;
        }
        out.files.addAll(files);
        out.envFiles.addAll(envFiles);
        out.env.addAll(env);
        out.verbose |= verbose;
        return out;
    }

    ComposeLoader.Options loaderOptions() {
        return new ComposeLoader.Options(Path.of(System.getProperty("user.dir")), files, envFiles, env, System.getenv());
    }

    /**
     * Loads the compose files and prints their warnings; on an error prints {@code ❌ <errorPrefix><message>} and
     * returns null.
     */
    ComposeProject loadReporting(PrintWriter err, String errorPrefix) {
        ComposeProject project;
        try {
            project = ComposeLoader.load(loaderOptions());
        } catch (ComposeException e) {
            err.println("❌ " + errorPrefix + e.getMessage());
            return null;
        }
        print(project.diagnostics(), err);
        return project;
    }

    /** Warnings always, notes with -v: {@code warning: model-compose.yml:12: components[0].x: unknown key, ignored}. */
    void print(List<Diagnostic> diagnostics, PrintWriter err) {
        for (Diagnostic d : diagnostics) {
            if (d.severity() == Diagnostic.Severity.WARNING) err.println("warning: " + d);
            else if (verbose) err.println("note: " + d);
        }
    }
}
