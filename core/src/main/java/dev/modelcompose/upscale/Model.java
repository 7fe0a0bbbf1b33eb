package dev.modelcompose.upscale;

import dev.modelcompose.imaging.RowSink;
import dev.modelcompose.nativelib.RunnerNative;
import dev.modelcompose.nativelib.RunnerNative.NativeModel;
import dev.modelcompose.nativelib.RunnerNative.Status;
import dev.modelcompose.nativelib.RunnerNative.UpscaleSettings;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;

/**
 * A Real-ESRGAN model loaded onto its devices: the graph is read and the weights are prepared (transformed, uploaded
 * to the GPU) once, then any number of calls upscale images, each with its own {@link UpscaleOptions}.
 *
 * <pre>{@code
 * try (Model model = Model.load(ModelFiles.of(Path.of("models/realesr-animevideov3-x4")))) {
 *     BufferedImage big = model.upscale(image);
 *     BufferedImage tiled = model.upscale(image, UpscaleOptions.defaults().withTileSize(128));
 * }
 * }</pre>
 *
 * <p>Thread-safe: calls may come from many threads at once (each device runs one tile at a time, and the tiles of
 * concurrent calls take turns). {@link #close()} waits for running calls and frees the native memory.
 */
public final class Model implements AutoCloseable {
    private static final ScheduledExecutorService PROGRESS_POLLER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "upscale-progress");
        t.setDaemon(true);
        return t;
    });

    /** How much of a band is copied to the heap at once on its way to a {@link RowSink}. */
    private static final int ROW_COPY_BYTES = 4 << 20;

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final ModelFiles files;
    private final ModelOptions options;
    private final int scale, inputChannels, receptiveRadius, defaultTilePad;
    private NativeModel model;

    private Model(ModelFiles files, ModelOptions options, NativeModel model) {
        this.files = files;
        this.options = options;
        this.model = model;
        this.scale = model.scale();
        this.inputChannels = model.inputChannels();
        this.receptiveRadius = model.receptiveRadius();
        this.defaultTilePad = model.defaultTilePad();
    }

    /** Loads the model onto the CPU. */
    public static Model load(ModelFiles files) {
        return load(files, ModelOptions.defaults());
    }

    /**
     * Loads the model onto the devices of {@code options}. Throws {@link ModelLoadException} naming the file and problem
     * when the files are broken, {@link UnsupportedLayerException} when a device cannot run one of its layers, and
     * {@link UpscaleException} for a device that does not exist.
     */
    public static Model load(ModelFiles files, ModelOptions options) {
        files.requireReadable();
        NativeLibrary.require();
        try (Status status = new Status()) {
            NativeModel m = new NativeModel(files.param().toString(), files.bin().toString(), options.devices(), options.precision().code(), status);
            if (status.code() != 0) {
                m.close();
                NativeErrors.check(status);
            }
            return new Model(files, options, m);
        }
    }

    public ModelFiles files() {
        return files;
    }

    public ModelOptions options() {
        return options;
    }

    /** The model's upscale factor, read from its graph. */
    public int scale() {
        return withModel(m -> scale);
    }

    public int inputChannels() {
        return withModel(m -> inputChannels);
    }

    /** How far, in input pixels, an output pixel can see: the halo needed for seamless tiles. */
    public int receptiveRadius() {
        return withModel(m -> receptiveRadius);
    }

    /** The halo each tile reads with these options (their {@link UpscaleOptions#tilePad()}, or the model's default for -1). */
    public int effectiveTilePad(UpscaleOptions call) {
        return call.tilePad() >= 0 ? call.tilePad() : defaultTilePad;
    }

    /** How a loaded device stores activations and weights: {@link Precision#FP32} or {@link Precision#FP16} (the CPU: FP32). */
    public Precision storagePrecision(int device) {
        return withModel(m -> withStatus(s -> Precision.ofCode(m.storagePrecision(device, s))));
    }

    /** What a loaded device runs, e.g. "Vulkan device 0 (llvmpipe ...)": for {@code -v} output. */
    public String describeDevice(int device) {
        return withModel(m -> withStatus(s -> m.describeDevice(device, s)));
    }

    /** The tile side an image of this size is processed with. */
    public int plannedTileSize(int width, int height, UpscaleOptions call) {
        return withModel(m -> withSettings(call, settings -> withStatus(s -> m.plannedTileSize(width, height, settings, s))));
    }

    public int plannedTileCount(int width, int height, UpscaleOptions call) {
        return withModel(m -> withSettings(call, settings -> withStatus(s -> m.plannedTileCount(width, height, settings, s))));
    }

    public BufferedImage upscale(BufferedImage image) {
        return upscale(image, UpscaleOptions.defaults(), new UpscaleJob());
    }

    public BufferedImage upscale(BufferedImage image, UpscaleOptions call) {
        return upscale(image, call, new UpscaleJob());
    }

    public BufferedImage upscale(BufferedImage image, UpscaleOptions call, UpscaleJob job) {
        PixelBuffer in = BufferedImages.toPixels(image);
        return BufferedImages.fromPixels(upscale(in, call, job), image);
    }

    public PixelBuffer upscale(PixelBuffer image) {
        return upscale(image, UpscaleOptions.defaults(), new UpscaleJob());
    }

    public PixelBuffer upscale(PixelBuffer image, UpscaleOptions call) {
        return upscale(image, call, new UpscaleJob());
    }

    /** Upscales raw pixels; the result has the same channel layout, {@link #scale()} times larger. */
    public PixelBuffer upscale(PixelBuffer image, UpscaleOptions call, UpscaleJob job) {
        int scale = scale();
        long outBytes = (long) image.width() * scale * image.height() * scale * image.channels();
        if (outBytes > Integer.MAX_VALUE - 16)
            throw new UpscaleException("the output would be " + image.width() * (long) scale + "x" + image.height() * (long) scale
                    + " pixels, larger than one image in memory can hold (2 GiB); write it in bands with upscale(image, options, job, consumer)");
        try (BytePointer dst = new BytePointer(outBytes)) {
            run(image, call, job, (m, src, settings, nativeJob, status) ->
                    m.upscale(src, image.width(), image.height(), image.channels(), dst, settings, nativeJob, status));
            byte[] out = new byte[(int) outBytes];
            dst.get(out);
            return new PixelBuffer(image.width() * scale, image.height() * scale, image.channels(), out);
        }
    }

    /** Receives an upscaled image in bands of whole rows, top to bottom. */
    @FunctionalInterface
    public interface BandConsumer {
        /**
         * Rows {@code [y0, y0 + rows)} of the output, {@code rows * width * channels} bytes; the buffer is valid during the
         * call only. An exception stops the upscale and is rethrown by it.
         */
        void accept(int y0, int rows, ByteBuffer pixels) throws IOException;
    }

    /**
     * Upscales raw pixels into {@code consumer}, a band of rows at a time as they complete: memory is set by a few bands,
     * not by the output, so outputs larger than memory (a gigapixel) can be encoded as they come. With an automatic tile
     * the bands are kept small.
     */
    public void upscale(PixelBuffer image, UpscaleOptions call, UpscaleJob job, BandConsumer consumer) throws IOException {
        IOException[] failure = new IOException[1];
        RuntimeException[] runtimeFailure = new RuntimeException[1];
        RunnerNative.BandReceiver receiver = new RunnerNative.BandReceiver() {
            @Override
            public void band(int y0, int rows, BytePointer pixels) {
                if (failure[0] != null || runtimeFailure[0] != null) return;
                try {
                    consumer.accept(y0, rows, pixels.capacity((long) rows * image.width() * scale * image.channels()).asByteBuffer());
                } catch (IOException e) {
                    failure[0] = e;
                    job.cancel();
                } catch (RuntimeException e) {
                    runtimeFailure[0] = e;
                    job.cancel();
                }
            }
        };
        try (receiver) {
            run(image, call, job, (m, src, settings, nativeJob, status) ->
                    m.upscaleBands(src, image.width(), image.height(), image.channels(), receiver, settings, nativeJob, status));
        } catch (UpscaleCancelledException e) {
            if (failure[0] == null && runtimeFailure[0] == null) throw e;
        }
        if (failure[0] != null) throw failure[0];
        if (runtimeFailure[0] != null) throw runtimeFailure[0];
    }

    /**
     * Upscales raw pixels straight into {@code sink} (a PNG being written, say), a few rows at a time as bands complete:
     * with an automatic tile, memory is set by the tile row, not by the output. The sink must be the output's size and
     * channel count; it is not closed here.
     */
    public void upscale(PixelBuffer image, UpscaleOptions call, UpscaleJob job, RowSink sink) throws IOException {
        int width = image.width() * scale, height = image.height() * scale;
        if (sink.width() != width || sink.height() != height || sink.channels() != image.channels())
            throw new IllegalArgumentException("the sink takes " + sink.width() + "x" + sink.height() + "x" + sink.channels()
                    + ", the output is " + width + "x" + height + "x" + image.channels());
        int rowBytes = width * image.channels();
        byte[] rows = new byte[Math.max(1, ROW_COPY_BYTES / rowBytes) * rowBytes];
        upscale(image, call, job, (y0, count, band) -> {
            for (int done = 0; done < count; ) {
                int n = Math.min(count - done, rows.length / rowBytes);
                band.get(rows, 0, n * rowBytes);
                sink.writeRows(rows, 0, n);
                done += n;
            }
        });
    }

    private interface NativeCall {
        void run(NativeModel model, BytePointer src, UpscaleSettings settings, RunnerNative.UpscaleJob job, Status status);
    }

    /** One native upscale call with progress reports and cancellation wired to {@code job}. */
    private void run(PixelBuffer image, UpscaleOptions call, UpscaleJob job, NativeCall body) {
        withModel(m -> {
            try (BytePointer src = new BytePointer(image.pixels());
                 UpscaleSettings settings = settings(call);
                 RunnerNative.UpscaleJob nativeJob = new RunnerNative.UpscaleJob();
                 Status status = new Status()) {
                job.attach(nativeJob::cancel);
                ScheduledFuture<?> poll = PROGRESS_POLLER.scheduleAtFixedRate(
                        () -> job.report(new UpscaleJob.Progress(nativeJob.fraction(), nativeJob.tilesDone(), nativeJob.tilesTotal())), 100, 100,
                        TimeUnit.MILLISECONDS);
                try {
                    body.run(m, src, settings, nativeJob, status);
                } finally {
                    poll.cancel(false);
                    job.attach(() -> {});
                    job.warnings(nativeJob.warnings());
                }
                NativeErrors.check(status);
                Map<Integer, Integer> perDevice = new TreeMap<>();
                for (int d : options.devices()) perDevice.put(d, nativeJob.deviceTiles(d));
                int onCpu = nativeJob.deviceTiles(ModelOptions.CPU);  // also a GPU's tiles finished on the CPU after it failed
                if (onCpu > 0) perDevice.put(ModelOptions.CPU, onCpu);
                job.deviceTiles(perDevice);
                job.report(new UpscaleJob.Progress(1.0, nativeJob.tilesTotal(), nativeJob.tilesTotal()));
                return null;
            }
        });
    }

    /** The network alone on planar CHW floats, without padding or tiling, on the first device: for diagnostics and tests. */
    public Activation forward(Activation input) {
        return forward(options.device(), input);
    }

    /** The same on one of the loaded devices. */
    public Activation forward(int device, Activation input) {
        return withModel(m -> {
            try (IntPointer shape = new IntPointer(3)) {
                withStatus(s -> {
                    m.outputShape(input.channels(), input.height(), input.width(), shape, s);
                    return null;
                });
                Activation out = new Activation(shape.get(0), shape.get(1), shape.get(2));
                try (FloatPointer in = new FloatPointer(input.data()); FloatPointer result = new FloatPointer(out.data().length)) {
                    withStatus(s -> {
                        m.forward(device, in, input.channels(), input.height(), input.width(), result, s);
                        return null;
                    });
                    result.get(out.data());
                }
                return out;
            }
        });
    }

    /** Waits for running calls, then frees the native model. Idempotent. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (model != null) {
                model.close();
                model = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** What the CPU backend runs here, e.g. "avx512_bf16 kernels + oneDNN 3.13.0, 2 threads". */
    public static String cpuDescription() {
        NativeLibrary.require();
        return RunnerNative.cpuDescription();
    }

    /** The instruction-set levels this CPU runs, lowest first: "baseline", "avx2", "avx512", "avx512_bf16", "amx_bf16". */
    public static java.util.List<String> cpuInstructionSets() {
        NativeLibrary.require();
        return java.util.List.of(RunnerNative.cpuIsas().split(","));
    }

    private static UpscaleSettings settings(UpscaleOptions o) {
        return new UpscaleSettings().tileSize(o.tileSize()).tilePad(o.tilePad()).prePad(o.prePad()).tta(o.tta()).threads(o.threads())
                .memoryBudgetMb(o.memoryBudgetMb());
    }

    private static <T> T withSettings(UpscaleOptions call, Function<UpscaleSettings, T> body) {
        try (UpscaleSettings s = settings(call)) {
            return body.apply(s);
        }
    }

    private static <T> T withStatus(Function<Status, T> body) {
        try (Status s = new Status()) {
            T result = body.apply(s);
            NativeErrors.check(s);
            return result;
        }
    }

    private <T> T withModel(Function<NativeModel, T> body) {
        lock.readLock().lock();
        try {
            if (model == null) throw new IllegalStateException("this Model is closed");
            return body.apply(model);
        } finally {
            lock.readLock().unlock();
        }
    }
}
