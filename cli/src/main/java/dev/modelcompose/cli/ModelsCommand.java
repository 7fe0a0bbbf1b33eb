package dev.modelcompose.cli;

import dev.modelcompose.models.CatalogEntry;
import dev.modelcompose.models.ModelCache;
import dev.modelcompose.models.ModelCatalog;
import dev.modelcompose.models.ModelResolver;
import dev.modelcompose.upscale.ModelFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code model-compose models}: the catalogue and the local cache. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List, download, verify, locate and remove catalogue models.",
        subcommands = {ModelsCommand.ListModels.class, ModelsCommand.Pull.class, ModelsCommand.Verify.class, ModelsCommand.PathOf.class,
                ModelsCommand.Remove.class})
public final class ModelsCommand {

    static CatalogEntry entry(String name) {
        return ModelCatalog.builtIn().find(name, null).orElseThrow(() -> new IllegalArgumentException("'" + name
                + "' is not in the catalogue; 'model-compose models list' shows the names"));
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Show the catalogue and which models are cached.")
    static final class ListModels implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            ModelCache cache = ModelCache.standard();
            out.printf("%-26s %-5s %-14s %-7s %s%n", "name", "scale", "architecture", "cached", "description");
            for (CatalogEntry e : ModelCatalog.builtIn().entries())
                out.printf("%-26s x%-4d %-14s %-7s %s%n", e.name(), e.scale(), e.architecture(), cache.contains(e) ? "yes" : "no",
                        e.description());
            out.println("cache: " + cache.dir());
            return 0;
        }
    }

    @Command(name = "pull", mixinStandardHelpOptions = true, description = "Download a model into the cache (verified by SHA-256).")
    static final class Pull implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            ModelFiles files = ModelResolver.standard(spec.commandLine().getErr()::println).withProgress(DownloadBars.forTerminal())
                    .ensureCached(entry(name));
            spec.commandLine().getOut().println(files.param().getParent());
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Hash every file of the cached models (or of the ones named) against their SHA-256.",
                    "Loading a model checks only size and time; this finds changes that kept both. Exit 1 if any file fails."})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", arity = "0..*")
        java.util.List<String> names = new java.util.ArrayList<>();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            ModelCache cache = ModelCache.standard();
            java.util.List<CatalogEntry> entries = names.isEmpty() ? ModelCatalog.builtIn().entries().stream().filter(cache::contains).toList()
                    : names.stream().map(ModelsCommand::entry).toList();
            int bad = 0;
            for (CatalogEntry e : entries) {
                if (!cache.contains(e)) {
                    out.println(e.name() + ": not cached");
                    bad++;
                    continue;
                }
                java.util.Optional<String> problem = cache.verify(e);
                out.println(e.name() + ": " + problem.map(p -> "FAILED: " + p + " (run 'model-compose models rm " + e.name()
                        + "' and 'model-compose models pull " + e.name() + "')").orElse("ok"));
                if (problem.isPresent()) bad++;
            }
            if (entries.isEmpty()) out.println("no models are cached (" + cache.dir() + ")");
            return bad == 0 ? 0 : ErrorHandler.EXIT_FAILURE;
        }
    }

    @Command(name = "path", mixinStandardHelpOptions = true, description = "Print where a cached model's .param file is (exit 1 if not cached).")
    static final class PathOf implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            CatalogEntry e = entry(name);
            ModelCache cache = ModelCache.standard();
            if (!cache.contains(e)) {
                spec.commandLine().getErr().println("error: " + e.name() + " is not cached; run 'model-compose models pull " + e.name() + "'");
                return ErrorHandler.EXIT_FAILURE;
            }
            spec.commandLine().getOut().println(cache.files(e).param());
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove a model from the cache.")
    static final class Remove implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws IOException {
            CatalogEntry e = entry(name);
            ModelCache cache = ModelCache.standard();
            boolean removed = cache.contains(e) || Files.exists(cache.files(e).param()) || Files.exists(cache.files(e).bin());
            cache.remove(e);
            spec.commandLine().getOut().println(removed ? "removed " + e.name() : e.name() + " was not cached");
            return 0;
        }
    }
}
