package dev.modelcompose.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Entry point of {@code model-compose}. */
@Command(name = "model-compose", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Upscale images with Real-ESRGAN models on the CPU or any GPU, driven by model-compose.yml files.",
        subcommands = {UpCommand.class, DownCommand.class, RunCommand.class, ValidateCommand.class, UpscaleCommand.class, DevicesCommand.class, ModelsCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    /** {@code -f}, {@code --env-file}, {@code -e}, {@code -v} written before {@code run} or {@code validate}. */
    @Mixin
    ComposeOptions compose = new ComposeOptions();

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line, for embedding and tests (set its out/err writers to capture output). */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler(new ErrorHandler());
    }
}
