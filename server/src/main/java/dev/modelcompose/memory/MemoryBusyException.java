package dev.modelcompose.memory;

/** The memory a run needs is in use by other runs now: the same request may succeed later (HTTP 503 with Retry-After). */
public final class MemoryBusyException extends RuntimeException {
    public MemoryBusyException(String what, long needed, long available) {
        super("the server is busy: " + what + " needs " + Sizes.mib(needed) + " of memory and " + Sizes.mib(available)
                + " is free while other runs finish; retry shortly");
    }

    /** The heap ran out in spite of the budget (a Java OutOfMemoryError, or the native runner's). */
    public MemoryBusyException(String message, Throwable cause) {
        super(message, cause);
    }
}
