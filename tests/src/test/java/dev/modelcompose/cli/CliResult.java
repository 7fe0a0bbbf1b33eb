package dev.modelcompose.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One in-process run of the CLI: its exit code and what it printed. */
public record CliResult(int exit, String out, String err) {

    public static CliResult run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new CliResult(exit, out.toString(), err.toString());
    }
}
