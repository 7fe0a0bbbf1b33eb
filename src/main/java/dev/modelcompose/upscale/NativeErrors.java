package dev.modelcompose.upscale;

/** Maps the tagged messages of native errors onto this package's exceptions. */
final class NativeErrors {
    private NativeErrors() {}

    static UpscaleException translate(RuntimeException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (message.startsWith("[model] ")) return new ModelLoadException(message.substring(8));
        if (message.startsWith("[cancelled]")) return new UpscaleCancelledException();
        if (message.startsWith("[argument] ")) return new UpscaleException(message.substring(11));
        if (message.startsWith("[memory] ")) return new UpscaleException(message.substring(9), e);
        return new UpscaleException("native runner failed: " + message.replaceFirst("^\\[\\w+\\] ", ""), e);
    }
}
