package dev.modelcompose.runtime;

import dev.modelcompose.compose.ImageUpscaleConfig;
import dev.modelcompose.compose.ImageUpscaleConfig.Action;
import dev.modelcompose.compose.ImageUpscaleConfig.Params;
import dev.modelcompose.expr.Conversions;
import dev.modelcompose.expr.Expression;
import dev.modelcompose.expr.ExpressionException;
import dev.modelcompose.expr.PythonText;
import dev.modelcompose.expr.RenderContext;
import dev.modelcompose.expr.Template;
import dev.modelcompose.imaging.ImageMetadataCarrier;
import dev.modelcompose.memory.ImageCosts;
import dev.modelcompose.memory.MemoryBusyException;
import dev.modelcompose.upscale.InsufficientMemoryException;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.ModelOptions;
import dev.modelcompose.upscale.UpscaleCancelledException;
import dev.modelcompose.upscale.UpscaleJob;
import dev.modelcompose.upscale.GpuDevices;
import dev.modelcompose.upscale.Precision;
import dev.modelcompose.upscale.UpscaleOptions;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * {@code type: model, task: image-upscale}: provisions the model and loads it onto its devices once, then upscales the
 * images its actions render, each run with the tiling its action renders for it (which may come from the request).
 * {@code max_concurrent_count > 0} admits that many runs at a time, the others waiting in arrival order.
 */
final class ImageUpscaleComponent implements ComponentInstance {
    private final ImageUpscaleConfig config;
    private final RuntimeOptions options;
    private final RenderContext.Options renderOptions;
    private final Semaphore permits;
    private final Map<String, CompiledAction> actions = new LinkedHashMap<>();
    private UpscaleEngine engine;

    private record CompiledAction(Action config, Template image, Template output, Template tileSize, Template tilePad, Template prePad,
                                  Template batchSize) {}

    ImageUpscaleComponent(ImageUpscaleConfig config, RuntimeOptions options, RenderContext.Options renderOptions) {
        this.config = config;
        this.options = options;
        this.renderOptions = renderOptions;
        this.permits = config.maxConcurrentCount() > 0 ? new Semaphore(config.maxConcurrentCount(), true) : null;
        for (Action a : config.actions()) {
            Params p = a.params();
            actions.put(a.id(), new CompiledAction(a, Template.compile(a.image()), a.output() == null ? null : Template.compile(a.output()),
                    Template.compile(p.tileSize()), Template.compile(p.tilePadSize()), Template.compile(p.prePadSize()),
                    Template.compile(a.batchSize())));
        }
    }

    @Override
    public String id() {
        return config.id();
    }

    /**
     * The devices of {@code device}: one, or several separated by commas (a YAML list arrives joined), which then share
     * the tiles of each image. {@code cpu} and {@code -1} are the CPU; {@code auto} the first hardware GPU (discrete or
     * integrated), else the CPU (a software Vulkan device such as lavapipe is slower than our CPU path); {@code cuda},
     * {@code gpu}, {@code vulkan} GPU 0, and {@code cuda:N}, {@code gpu:N} or {@code N} GPU N.
     */
    static int[] devices(String device) {
        String spec = device == null ? "auto" : device;
        int[] devices = java.util.Arrays.stream(spec.split(",", -1)).mapToInt(ImageUpscaleComponent::device).toArray();
        if (java.util.Arrays.stream(devices).distinct().count() != devices.length)
            throw new WorkflowException("device '" + device + "' names a device twice; list each device once, e.g. device: [0, cpu]");
        return devices;
    }

    private static int device(String device) {
        String d = device.strip().toLowerCase(Locale.ROOT);
        if (d.equals("cpu") || d.equals("-1")) return ModelOptions.CPU;
        List<GpuDevices.GpuDevice> gpus = GpuDevices.list();
        if (d.equals("auto"))
            return gpus.stream().filter(g -> g.type().equals("discrete") || g.type().equals("integrated")).mapToInt(GpuDevices.GpuDevice::index)
                    .findFirst().orElse(ModelOptions.CPU);
        int index = -2;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:(?:cuda|gpu|vulkan|mps)(?::(\\d+))?|(\\d+))").matcher(d);
        if (m.matches()) index = m.group(2) != null ? Integer.parseInt(m.group(2)) : m.group(1) != null ? Integer.parseInt(m.group(1)) : 0;
        if (index >= 0 && index < gpus.size()) return index;
        throw new WorkflowException("device '" + device.strip() + "' is not available; the devices are: " + GpuDevices.describeChoices()
                + "; use device: cpu, auto, a GPU index, or a list such as [0, cpu]");
    }

    /** The loaded model's scale, or null before it is loaded. */
    synchronized Integer loadedScale() {
        return engine == null ? null : engine.scale();
    }

    @Override
    public void start() {
        if (!config.actions().isEmpty()) engine(options.log());
    }

    /** The loaded model, loaded on first use (at start for {@code up}, so that a bad model fails before serving). */
    private synchronized UpscaleEngine engine(java.util.function.Consumer<String> log) {
        if (engine != null) return engine;
        log.accept("Component '" + config.id() + "': loading model " + describeModel());
        ModelFiles files;
        try {
            files = options.models().provision(config.model(), config.family(), config.scale());
        } catch (RuntimeException ex) {
            throw new WorkflowException("component '" + config.id() + "': " + message(ex), ex);
        }
        ModelOptions load = ModelOptions.defaults().withDevices(devices(config.device())).withPrecision(precision());
        UpscaleEngine e;
        try {
            e = options.engines().open(files, load);
        } catch (RuntimeException ex) {
            throw new WorkflowException("component '" + config.id() + "': cannot load model " + files.name() + ": " + message(ex), ex);
        }
        if (config.scale() != null && e.scale() != config.scale()) {
            int actual = e.scale();
            e.close();
            throw new WorkflowException("component '" + config.id() + "': scale " + config.scale() + " does not match the model "
                    + files.name() + ", which upscales x" + actual + " (set scale: " + actual + ", or use a x" + config.scale() + " model)");
        }
        engine = e;
        return e;
    }

    private dev.modelcompose.upscale.Precision precision() {
        try {
            return Precision.parse(config.precision());
        } catch (IllegalArgumentException e) {
            throw new WorkflowException("component '" + config.id() + "': " + e.getMessage());
        }
    }

    private String describeModel() {
        Object m = config.model();
        return m instanceof String s ? s : PythonText.json(m);
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private UpscaleOptions upscaleOptions(CompiledAction a, RenderContext ctx) {
        UpscaleOptions o = UpscaleOptions.defaults();
        int tile = intParam(a.tileSize(), ctx, "tile_size", 0);
        if (tile > 0 && tile < 32) tile = 32;
        int pad = intParam(a.tilePad(), ctx, "tile_pad_size", -1);
        int prePad = intParam(a.prePad(), ctx, "pre_pad_size", 0);
        try {
            return o.withTileSize(tile).withTilePad(pad).withPrePad(prePad);
        } catch (IllegalArgumentException e) {
            throw new WorkflowException("component '" + config.id() + "': params: " + e.getMessage());
        }
    }

    private int intParam(Template t, RenderContext ctx, String name, int min) {
        Object v = t.render(ctx);
        long n;
        if (v instanceof Number num) n = num.longValue();
        else if (v instanceof String s && s.strip().matches("-?\\d+")) n = Long.parseLong(s.strip());
        else throw new WorkflowException("component '" + config.id() + "': params." + name + " rendered to " + PythonText.repr(v)
                + ", not an integer");
        if (n < min || n > 1 << 20) throw new WorkflowException("component '" + config.id() + "': params." + name + " must be at least "
                + min + ", got " + n);
        return (int) n;
    }

    @Override
    public Object run(String actionId, Object input, RunContext run) {
        Optional<Action> found = Lookup.find(config.actions(), actionId, Action::id, Action::isDefault);
        if (found.isEmpty()) {
            String why = Lookup.why(config.actions(), actionId, "action");
            throw new WorkflowException("Action not found: " + actionId + " in component '" + config.id() + "'" + (why == null ? "" : " (" + why + ")"));
        }
        CompiledAction a = actions.get(found.get().id());
        RenderContext ctx = new RenderContext(Map.of(), run.render()).with("input", input)
                .with("context", Map.of("run_id", run.runId()));
        Object rendered;
        try {
            rendered = a.image().render(ctx);
        } catch (ExpressionException e) {
            throw new WorkflowException(e.getMessage(), e);
        }
        if (rendered == null) throw new WorkflowException("image is required: " + describeTemplate(a.config().image())
                + " gave nothing" + inputHint(input));
        UpscaleOptions opts = upscaleOptions(a, ctx);

        if (permits != null) {
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TaskCancelledException();
            }
        }
        try {
            run.cancellation().throwIfCancelled();
            UpscaleEngine engine = engine(run.log());
            Object result;
            if (rendered instanceof List<?> list) {
                List<Object> out = new ArrayList<>(list.size());
                for (Object item : list) out.add(item == null ? null : upscaleOne(engine, opts, asImage(item, ctx), a, run));
                result = out;
            } else {
                result = upscaleOne(engine, opts, asImage(rendered, ctx), a, run);
            }
            if (a.output() == null || a.output().isBare("result")) return result;
            try {
                return a.output().render(ctx.with("result", result));
            } catch (ExpressionException e) {
                throw new WorkflowException(e.getMessage(), e);
            }
        } finally {
            if (permits != null) permits.release();
        }
    }

    private static String describeTemplate(Object t) {
        return t instanceof String s ? "`" + s + "`" : PythonText.json(t);
    }

    private static String inputHint(Object input) {
        if (input instanceof Map<?, ?> m && !m.containsKey("image"))
            return m.isEmpty() ? " (the input is empty; pass e.g. {\"image\": \"photo.jpg\"})"
                    : " (the input has " + String.join(", ", m.keySet().stream().map(k -> "'" + k + "'").toList()) + ", no 'image')";
        if (input == null) return " (there is no input; pass e.g. {\"image\": \"photo.jpg\"})";
        return "";
    }

    /** A value that is not yet an image (the action wrote {@code ${input.image}} without {@code as image}). */
    private BufferedImage asImage(Object v, RenderContext ctx) {
        if (v instanceof BufferedImage img) return img;
        try {
            Object converted = Conversions.convert(v, new Expression.TypeSpec("image", false, null, Map.of(), null), ctx, null);
            if (converted instanceof BufferedImage img) return img;
        } catch (ExpressionException e) {
            throw new WorkflowException(e.getMessage(), e);
        }
        throw new WorkflowException("`image` requires an image or raw image bytes, got " + PythonText.typeName(v));
    }

    private BufferedImage upscaleOne(UpscaleEngine engine, UpscaleOptions opts, BufferedImage image, CompiledAction a, RunContext run) {
        boolean bgr = "bgr".equals(a.config().colorFormat());
        int w = image.getWidth(), h = image.getHeight(), scale = engine.scale();
        ImageCosts.checkOutput(w, h, scale, channels(image), null);
        run.render().memory().reserve(ImageCosts.upscale(w, h, scale) + (bgr ? 8L * w * h * (1 + scale * scale) : 0),
                "upscaling a " + w + "x" + h + " image x" + scale);
        UpscaleJob job = new UpscaleJob();
        try (AutoCloseable hook = run.cancellation().onCancel(job::cancel)) {
            BufferedImage in = bgr ? swapRedBlue(image) : image;
            BufferedImage out = engine.upscale(in, opts, job);
            return ImageMetadataCarrier.attach(bgr ? swapRedBlue(out) : out, ImageMetadataCarrier.of(image));
        } catch (UpscaleCancelledException e) {
            throw new TaskCancelledException();
        } catch (InsufficientMemoryException e) {
            throw new MemoryBusyException("component '" + config.id() + "': " + message(e), e);
        } catch (WorkflowException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new WorkflowException("component '" + config.id() + "': " + message(e), e);
        } catch (Exception e) {  // closing the hook does not throw
            throw new IllegalStateException(e);
        } finally {
            // e.g. a GPU that failed and left its tiles to the CPU: the run succeeds, the log says why it was slow
            for (String warning : job.warnings())
                run.log().accept("[task-" + run.taskId() + "] Component '" + config.id() + "': warning: " + warning);
        }
    }

    /** The 8-bit channels the runner sees for the image: gray stays gray, alpha is kept. */
    private static int channels(BufferedImage image) {
        boolean gray = image.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY;
        return (gray ? 1 : 3) + (image.getColorModel().hasAlpha() ? 1 : 0);
    }

    /** {@code color_format: bgr}: the model sees blue and red swapped; the result is swapped back. */
    private static BufferedImage swapRedBlue(BufferedImage img) {
        boolean alpha = img.getColorModel().hasAlpha();
        int w = img.getWidth(), h = img.getHeight();
        BufferedImage out = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                row[x] = (p & 0xFF00FF00) | ((p >> 16) & 0xFF) | ((p & 0xFF) << 16);
            }
            out.setRGB(0, y, w, 1, row, 0, w);
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (engine != null) engine.close();
        engine = null;
    }
}
