package dev.modelcompose.cli;

import dev.modelcompose.upscale.UpscaleException;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Prints one line saying what failed instead of a stack trace (set MODEL_COMPOSE_DEBUG=1 for the trace). */
final class ErrorHandler implements IExecutionExceptionHandler {
    static final int EXIT_FAILURE = 1;

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parseResult) {
        String message;
        if (e instanceof UpscaleException || e instanceof IllegalArgumentException || e instanceof IOException) {
            message = e.getMessage();
        } else if (e instanceof UncheckedIOException io) {
            message = io.getCause().getMessage();
        } else {
            message = e.toString();
        }
        cmd.getErr().println(cmd.getColorScheme().errorText("error: " + message));
        if (System.getenv("MODEL_COMPOSE_DEBUG") != null) e.printStackTrace(cmd.getErr());
        return EXIT_FAILURE;
    }
}
