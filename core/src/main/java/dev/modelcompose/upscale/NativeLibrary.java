package dev.modelcompose.upscale;

import dev.modelcompose.nativelib.RunnerNative;

/** Loads the native runner once, turning a failure into a message that says what to do. */
final class NativeLibrary {
    private static volatile Throwable failure;
    private static volatile boolean loaded;

    private NativeLibrary() {}

    static void require() {
        if (loaded) return;
        synchronized (NativeLibrary.class) {
            if (!loaded && failure == null) {
                try {
                    RunnerNative.load();
                    loaded = true;
                } catch (Throwable t) {
                    failure = t;
                }
            }
        }
        if (!loaded)
            throw new UpscaleException("cannot load the native runner for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                    + " (this build supports linux-x86_64): " + failure, failure);
    }
}
