package dev.modelcompose.memory;

/**
 * Work that this server can never do as asked, whatever else runs: more memory than its whole budget, or an output
 * larger than one image can be. The message says what fits (HTTP 413).
 */
public final class TooLargeException extends RuntimeException {
    public TooLargeException(String message) {
        super(message);
    }

    static TooLargeException forMemory(String what, long needed, long total) {
        return new TooLargeException(what + " needs " + Sizes.mib(needed) + " of memory, more than this server lets one run use ("
                + Sizes.mib(total) + ", the http-server adapter's memory_budget); send a smaller image or raise the budget and the Java heap (-Xmx)");
    }
}
