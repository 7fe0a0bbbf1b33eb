package dev.modelcompose.expr;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code ;path} and {@code ;url} inputs may reach.
 *
 * @param anyPath     {@code ;path} reads any local file (the CLI); otherwise only files inside {@code pathRoots}
 * @param pathRoots   directories {@code ;path} may read when {@code anyPath} is false; empty = {@code ;path} is off
 * @param privateUrls {@code ;url} may fetch loopback, link-local and private addresses
 * @param maxUrlBytes larger {@code ;url} bodies are refused
 */
public record InputAccess(boolean anyPath, List<Path> pathRoots, boolean privateUrls, long maxUrlBytes) {
    public static final long DEFAULT_MAX_URL_BYTES = 64L << 20;

    public InputAccess {
        pathRoots = List.copyOf(pathRoots);
        if (maxUrlBytes <= 0) throw new IllegalArgumentException("maxUrlBytes must be positive, not " + maxUrlBytes);
    }

    /** The local user's own command line: any file, any address. */
    public static InputAccess local() {
        return new InputAccess(true, List.of(), true, DEFAULT_MAX_URL_BYTES);
    }

    /** Input from the network, by default: no local files, public addresses only. */
    public static InputAccess network() {
        return new InputAccess(false, List.of(), false, DEFAULT_MAX_URL_BYTES);
    }

    /** {@code ;path} reads only files inside these directories (none: {@code ;path} is off). */
    public InputAccess withPathRoots(List<Path> roots) {
        return new InputAccess(false, roots, privateUrls, maxUrlBytes);
    }

    public InputAccess withPrivateUrls(boolean value) {
        return new InputAccess(anyPath, pathRoots, value, maxUrlBytes);
    }

    public InputAccess withMaxUrlBytes(long value) {
        return new InputAccess(anyPath, pathRoots, privateUrls, value);
    }

    public boolean pathsAllowed() {
        return anyPath || !pathRoots.isEmpty();
    }
}
