package dev.modelcompose.expr;

import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.memory.MemoryAccount;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What expressions see: the named sources ({@code input}, {@code output}, {@code jobs}, {@code result},
 * {@code context}...) and the options of the caller.
 */
public record RenderContext(Map<String, Object> sources, Options options) {
    /**
     * @param allowLocalPaths let {@code as image} (and other file types) without a format read a string that names an
     *                        existing local file: the CLI's leniency; never for HTTP input
     * @param workingDir      where relative {@code ;path} values resolve (when any path is allowed)
     * @param access          what {@code ;path} and {@code ;url} may reach; null = {@link InputAccess#network()}
     * @param memory          what decoding images reserves memory from (the run's account); null = no limit
     * @param maxPixels       larger images are refused before they are decoded; 0 =
     *                        {@link ImageFiles#DEFAULT_MAX_PIXELS}
     */
    public record Options(boolean allowLocalPaths, Path workingDir, InputAccess access, MemoryAccount memory, long maxPixels) {
        public Options {
            if (access == null) access = InputAccess.network();
            if (memory == null) memory = MemoryAccount.unlimited();
            if (maxPixels <= 0) maxPixels = ImageFiles.DEFAULT_MAX_PIXELS;
        }

        /** Without a memory budget, at the default pixel limit. */
        public Options(boolean allowLocalPaths, Path workingDir, InputAccess access) {
            this(allowLocalPaths, workingDir, access, null, 0);
        }

        /** No bare-path leniency; {@code ;path} and {@code ;url} unrestricted: for values the compose file's author wrote. */
        public static Options strict(Path workingDir) {
            return new Options(false, workingDir, InputAccess.local());
        }

        public Options withAccess(InputAccess value) {
            return new Options(allowLocalPaths, workingDir, value, memory, maxPixels);
        }

        public Options withMemory(MemoryAccount value, long maxPixelsValue) {
            return new Options(allowLocalPaths, workingDir, access, value, maxPixelsValue);
        }
    }

    public RenderContext {
        sources = new HashMap<>(sources);  // values may be null
    }

    public static RenderContext of(Options options) {
        return new RenderContext(Map.of(), options);
    }

    /** A copy with one more (or replaced) source. */
    public RenderContext with(String name, Object value) {
        Map<String, Object> s = new HashMap<>(sources);
        s.put(name, value);
        return new RenderContext(s, options);
    }

    public Object source(String name) {
        return sources.get(name);
    }
}
