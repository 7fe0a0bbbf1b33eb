package dev.modelcompose.nativelib;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.ByRef;
import org.bytedeco.javacpp.annotation.ByVal;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.MemberGetter;
import org.bytedeco.javacpp.annotation.Namespace;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.StdString;
import org.bytedeco.javacpp.annotation.Virtual;

/**
 * JavaCPP binding of {@code native/mc_native.h}, the whole native surface. Application code
 * uses {@code dev.modelcompose.upscale.Upscaler} instead of these peers.
 *
 * <p>Calls that can fail fill a {@link Status} (an error code of {@code esrgan::ErrorCode} and a message)
 * instead of throwing; the upscale package maps each code to one of its exception classes.
 */
// libmcnative.so needs libgomp.so.1 and libdnnl.so.3: they are preloaded from the org.bytedeco:dnnl jar.
@Platform(value = "linux-x86_64", include = "mc_native.h", link = "mcnative", preload = {"gomp@.1", "dnnl@.3"},
        preloadresource = "/org/bytedeco/dnnl/")
@Namespace("mcnative")
public final class RunnerNative {
    static {
        Loader.load();
    }

    private RunnerNative() {}

    /** Forces the native libraries to load; throws {@link UnsatisfiedLinkError} when they cannot. */
    public static void load() {
        Loader.load(RunnerNative.class);
    }

    public static native @StdString String cpuDescription();

    public static native int cpuThreads();

    /** Vulkan devices usable as {@code UpscaleSettings.device}; 0 when there is no loader, driver or device. */
    public static native int gpuCount();

    public static native @ByVal GpuInfo gpuInfo(int index, @ByRef Status status);

    /** Testing: "oom@N" / "lost@N" make the Nth Vulkan pass from now fail (lost: and all after it); "" clears. */
    public static native void injectVulkanFault(String spec, @ByRef Status status);

    /** Why no Vulkan device is usable; empty when one is. */
    public static native @StdString String gpuUnavailableReason();

    /** The outcome of a native call: {@code code()} 0 is success, else an error code with a message. */
    public static final class Status extends Pointer {
        static {
            Loader.load();
        }

        public Status() {
            super((Pointer) null);
            allocate();
        }

        private native void allocate();

        @MemberGetter
        public native int code();

        @MemberGetter
        public native @StdString String message();
    }

    public static final class GpuInfo extends Pointer {
        static {
            Loader.load();
        }

        public GpuInfo() {
            super((Pointer) null);
            allocate();
        }

        private native void allocate();

        @MemberGetter
        public native int index();

        @MemberGetter
        public native @StdString String name();

        @MemberGetter
        public native @StdString String type();

        @MemberGetter
        public native @Cast("long long") long deviceLocalBytes();

        @MemberGetter
        public native @Cast("bool") boolean fp16Arithmetic();

        @MemberGetter
        public native @Cast("bool") boolean fp16Storage();

        @MemberGetter
        public native @StdString String apiVersion();
    }

    public static final class UpscaleSettings extends Pointer {
        static {
            Loader.load();
        }

        public UpscaleSettings() {
            super((Pointer) null);
            allocate();
        }

        private native void allocate();

        public native int tileSize();

        public native UpscaleSettings tileSize(int value);

        public native int tilePad();

        public native UpscaleSettings tilePad(int value);

        public native int prePad();

        public native UpscaleSettings prePad(int value);

        public native @Cast("bool") boolean tta();

        public native UpscaleSettings tta(boolean value);

        public native int threads();

        public native UpscaleSettings threads(int value);

        public native @Cast("long long") long memoryBudgetMb();

        public native UpscaleSettings memoryBudgetMb(long value);

    }

    public static final class UpscaleJob extends Pointer {
        static {
            Loader.load();
        }

        public UpscaleJob() {
            super((Pointer) null);
            allocate();
        }

        private native void allocate();

        public native void cancel();

        public native @Cast("bool") boolean isCancelled();

        public native double fraction();

        public native int tilesDone();

        public native int tilesTotal();

        /** Tiles finished so far by one device (-1 = CPU). */
        public native int deviceTiles(int device);

        /** Warnings so far, one a line (a GPU fell back to the CPU, a tile was retried smaller). */
        public native @StdString String warnings();
    }

    /** Receives an upscale's output in bands of whole rows, top to bottom; {@code pixels} is valid during the call only. */
    public abstract static class BandReceiver extends Pointer {
        static {
            Loader.load();
        }

        protected BandReceiver() {
            super((Pointer) null);
            allocate();
        }

        private native void allocate();

        @Virtual(true)
        public abstract void band(int y0, int rows, @Cast("const unsigned char*") BytePointer pixels);
    }

    public static final class NativeModel extends Pointer {
        static {
            Loader.load();
        }

        /** Loads the model onto {@code devices} (-1 = CPU, 0.. = Vulkan devices); {@code status} says whether it worked. */
        public NativeModel(String paramPath, String binPath, int[] devices, int precision, Status status) {
            super((Pointer) null);
            try (IntPointer list = new IntPointer(devices)) {
                allocate(paramPath, binPath, list, devices.length, precision, status);
            }
        }

        private native void allocate(String paramPath, String binPath, @Const IntPointer devices, int deviceCount, int precision,
                                     @ByRef Status status);

        public native int scale();

        public native int inputChannels();

        public native int outputChannels();

        public native int receptiveRadius();

        public native int defaultTilePad();

        public native int layerCount();

        public native int plannedTileSize(int width, int height, @Const @ByRef UpscaleSettings settings, @ByRef Status status);

        public native int plannedTileCount(int width, int height, @Const @ByRef UpscaleSettings settings, @ByRef Status status);

        public native void upscale(@Cast("const unsigned char*") BytePointer src, int width, int height, int channels,
                                   @Cast("unsigned char*") BytePointer dst, @Const @ByRef UpscaleSettings settings,
                                   @ByRef UpscaleJob job, @ByRef Status status);

        public native void upscaleBands(@Cast("const unsigned char*") BytePointer src, int width, int height, int channels,
                                        @ByRef BandReceiver receiver, @Const @ByRef UpscaleSettings settings, @ByRef UpscaleJob job,
                                        @ByRef Status status);

        public native void outputShape(int c, int h, int w, IntPointer chw, @ByRef Status status);

        public native void forward(int device, @Const FloatPointer input, int c, int h, int w, FloatPointer output, @ByRef Status status);

        /** How a loaded device stores: 1 = fp32, 2 = fp16. */
        public native int storagePrecision(int device, @ByRef Status status);

        /** What a loaded device runs (kernels, precision). */
        public native @StdString String describeDevice(int device, @ByRef Status status);
    }
}
