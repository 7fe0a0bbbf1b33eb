package dev.modelcompose.models.pth;

/**
 * The checkpoint's pickle asks for something other than plain tensors (a Python callable such as
 * {@code os.system}, or an opcode that builds arbitrary objects). Nothing was executed: the reader
 * never runs Python, it stops at the first such reference.
 */
public class UnsafePickleException extends PthFormatException {
    public UnsafePickleException(String message) {
        super(message);
    }
}
