package dev.modelcompose.upscale;

import dev.modelcompose.nativelib.RunnerNative;
import dev.modelcompose.nativelib.RunnerNative.NativeModel;
import dev.modelcompose.nativelib.RunnerNative.UpscaleSettings;
import java.awt.image.BufferedImage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;

/**
 * A loaded Real-ESRGAN model, ready to upscale images.
 *
 * <pre>{@code
 * try (Upscaler u = Upscaler.open(ModelFiles.of(Path.of("models/realesr-animevideov3-x4")), UpscaleOptions.defaults())) {
 *     BufferedImage out = u.upscale(in);
 * }
 * }</pre>
 *
 * <p>Thread-safe: an instance may be shared, and its calls run one at a time (each call already
 * uses every configured core). Close it to free the native memory.
 */
public final class Upscaler implements AutoCloseable {
    private static final ScheduledExecutorService PROGRESS_POLLER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "upscale-progress");
        t.setDaemon(true);
        return t;
    });

    private final ReentrantLock lock = new ReentrantLock();
    private final ModelFiles files;
    private final UpscaleOptions options;
    private NativeModel model;

    private Upscaler(ModelFiles files, UpscaleOptions options, NativeModel model) {
        this.files = files;
        this.options = options;
        this.model = model;
    }

    /** Loads the model; throws {@link ModelLoadException} naming the file and problem when it cannot. */
    public static Upscaler open(ModelFiles files, UpscaleOptions options) {
        files.requireReadable();
        NativeLibrary.require();
        try {
            return new Upscaler(files, options, new NativeModel(files.param().toString(), files.bin().toString()));
        } catch (RuntimeException e) {
            throw NativeErrors.translate(e);
        }
    }

    public ModelFiles files() {
        return files;
    }

    public UpscaleOptions options() {
        return options;
    }

    /** The model's upscale factor, read from its graph. */
    public int scale() {
        return withModel(NativeModel::scale);
    }

    public int inputChannels() {
        return withModel(NativeModel::inputChannels);
    }

    /** How far, in input pixels, an output pixel can see: the halo needed for seamless tiles. */
    public int receptiveRadius() {
        return withModel(NativeModel::receptiveRadius);
    }

    /** The halo each tile reads when {@link UpscaleOptions#tilePad()} is -1. */
    public int effectiveTilePad() {
        return options.tilePad() >= 0 ? options.tilePad() : withModel(NativeModel::defaultTilePad);
    }

    /**
     * What {@link UpscaleOptions#precision()} resolves to on a device of {@link UpscaleOptions#devices()}: {@link Precision#FP32}
     * or {@link Precision#FP16} (the CPU is always FP32). On a GPU this uploads the weights if no upscale ran yet.
     */
    public Precision storagePrecision(int device) {
        return withModel(m -> Precision.ofCode(m.storagePrecision(device, options.precision().code())));
    }

    /** The tile side an image of this size is processed with. */
    public int plannedTileSize(int width, int height) {
        return withSettings(s -> withModel(m -> m.plannedTileSize(width, height, s)));
    }

    public int plannedTileCount(int width, int height) {
        return withSettings(s -> withModel(m -> m.plannedTileCount(width, height, s)));
    }

    public BufferedImage upscale(BufferedImage image) {
        return upscale(image, new UpscaleJob());
    }

    public BufferedImage upscale(BufferedImage image, UpscaleJob job) {
        PixelBuffer in = BufferedImages.toPixels(image);
        return BufferedImages.fromPixels(upscale(in, job), image);
    }

    public PixelBuffer upscale(PixelBuffer image) {
        return upscale(image, new UpscaleJob());
    }

    /** Upscales raw pixels; the result has the same channel layout, {@link #scale()} times larger. */
    public PixelBuffer upscale(PixelBuffer image, UpscaleJob job) {
        int s = scale();
        long outBytes = (long) image.width() * s * image.height() * s * image.channels();
        if (outBytes > Integer.MAX_VALUE - 16)
            throw new UpscaleException("the output would be " + image.width() * (long) s + "x" + image.height() * (long) s
                    + " pixels, larger than one image in memory can hold (2 GiB); split the image first");
        lock.lock();
        try (BytePointer src = new BytePointer(image.pixels());
             BytePointer dst = new BytePointer(outBytes);
             UpscaleSettings settings = settings();
             RunnerNative.UpscaleJob nativeJob = new RunnerNative.UpscaleJob()) {
            requireOpen();
            job.attach(nativeJob::cancel);
            ScheduledFuture<?> poll = PROGRESS_POLLER.scheduleAtFixedRate(
                    () -> job.report(new UpscaleJob.Progress(nativeJob.fraction(), nativeJob.tilesDone(),
                            nativeJob.tilesTotal())), 100, 100, TimeUnit.MILLISECONDS);
            try {
                model.upscale(src, image.width(), image.height(), image.channels(), dst, settings, nativeJob);
            } catch (RuntimeException e) {
                throw NativeErrors.translate(e);
            } finally {
                poll.cancel(false);
                job.attach(() -> {});
            }
            java.util.Map<Integer, Integer> perDevice = new java.util.TreeMap<>();
            for (int d : options.devices()) perDevice.put(d, nativeJob.deviceTiles(d));
            int onCpu = nativeJob.deviceTiles(UpscaleOptions.CPU);  // also a GPU's tiles finished on the CPU after it failed
            if (onCpu > 0) perDevice.put(UpscaleOptions.CPU, onCpu);
            job.deviceTiles(perDevice);
            job.warnings(nativeJob.warnings());
            job.report(new UpscaleJob.Progress(1.0, nativeJob.tilesTotal(), nativeJob.tilesTotal()));
            byte[] out = new byte[(int) outBytes];
            dst.get(out);
            return new PixelBuffer(image.width() * s, image.height() * s, image.channels(), out);
        } finally {
            lock.unlock();
        }
    }

    /** The network alone on planar CHW floats, without padding or tiling, on {@link UpscaleOptions#device()}: for diagnostics and tests. */
    public Activation forward(Activation input) {
        lock.lock();
        try (IntPointer shape = new IntPointer(3)) {
            requireOpen();
            model.outputShape(input.channels(), input.height(), input.width(), shape);
            Activation out = new Activation(shape.get(0), shape.get(1), shape.get(2));
            try (FloatPointer in = new FloatPointer(input.data()); FloatPointer result = new FloatPointer(out.data().length)) {
                model.forwardOn(options.device(), options.precision().code(), in, input.channels(), input.height(), input.width(), result);
                result.get(out.data());
            }
            return out;
        } catch (UpscaleException | IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw NativeErrors.translate(e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (model != null) {
                model.close();
                model = null;
            }
        } finally {
            lock.unlock();
        }
    }

    private UpscaleSettings settings() {
        return new UpscaleSettings().tileSize(options.tileSize()).tilePad(options.tilePad()).prePad(options.prePad())
                .tta(options.tta()).threads(options.threads()).memoryBudgetMb(options.memoryBudgetMb()).device(options.device())
                .deviceMask(deviceMask(options.devices())).precision(options.precision().code());
    }

    private static long deviceMask(int[] devices) {
        if (devices.length <= 1) return 0;
        long mask = 0;
        for (int d : devices) mask |= 1L << (d + 1);
        return mask;
    }

    private <T> T withSettings(java.util.function.Function<UpscaleSettings, T> body) {
        try (UpscaleSettings s = settings()) {
            return body.apply(s);
        }
    }

    private <T> T withModel(java.util.function.Function<NativeModel, T> body) {
        lock.lock();
        try {
            requireOpen();
            return body.apply(model);
        } catch (UpscaleException | IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw NativeErrors.translate(e);
        } finally {
            lock.unlock();
        }
    }

    private void requireOpen() {
        if (model == null) throw new IllegalStateException("this Upscaler is closed");
    }

    /** Name of the CPU backend, e.g. "oneDNN 3.13.0, AVX2, 2 threads". */
    public static String cpuDescription() {
        NativeLibrary.require();
        return RunnerNative.cpuDescription();
    }
}
