package dev.modelcompose.cli;

import dev.modelcompose.compose.ComposeConfig;
import dev.modelcompose.compose.ComposeProject;
import dev.modelcompose.runtime.ComposeRuntime;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code model-compose validate}: loads the compose file and checks it without running anything or loading models. */
@Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Check the compose file: YAML, schema, references between workflows, jobs and components.",
                "Unknown keys are reported as warnings with their file and line. Exit code 0 when valid, 1 otherwise."})
public final class ValidateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Mixin
    ComposeOptions compose = new ComposeOptions();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ComposeOptions options = compose.mergedWith(main == null ? null : main.compose);
        ComposeProject project = options.loadReporting(err, "");
        if (project == null) return ErrorHandler.EXIT_FAILURE;
        ComposeConfig config = project.config();
        List<String> problems = ComposeRuntime.check(config);
        if (!problems.isEmpty()) {
            err.println("❌ Configuration has semantic errors:");
            for (String p : problems) err.println("  - " + p);
            return ErrorHandler.EXIT_FAILURE;
        }
        out.println("✅ Configuration is valid (controller: " + config.controller().type() + ", " + config.components().size()
                + " component(s), " + config.workflows().size() + " workflow(s))");
        return 0;
    }
}
