package dev.modelcompose.cli;

import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.imaging.ImageWithMetadata;
import dev.modelcompose.models.ModelResolver;
import dev.modelcompose.upscale.Model;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.ModelOptions;
import dev.modelcompose.upscale.Precision;
import dev.modelcompose.upscale.UpscaleException;
import dev.modelcompose.upscale.UpscaleOptions;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code model-compose upscale}: the flags of realesrgan-ncnn-vulkan, on files or whole directories. */
@Command(name = "upscale", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Upscale an image, or every image in a directory, with a Real-ESRGAN model.",
                "Flags follow realesrgan-ncnn-vulkan. A model named with -n is looked up in -m as NAME.param/.bin",
                "(or NAME-xSCALE); models of the built-in catalogue are downloaded on first use (~/.cache/model-compose)."})
public final class UpscaleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "-i", required = true, paramLabel = "IN", description = "input image, or a directory of images")
    Path input;

    @Option(names = "-o", required = true, paramLabel = "OUT", description = "output image, or a directory when IN is one")
    Path output;

    @Option(names = "-n", paramLabel = "MODEL", defaultValue = "realesr-animevideov3", description = "model name (default: ${DEFAULT-VALUE})")
    String modelName;

    @Option(names = "-m", paramLabel = "MODEL_DIR", defaultValue = "models", description = "directory with NAME.param/NAME.bin (default: ${DEFAULT-VALUE})")
    Path modelDir;

    @Option(names = "-s", paramLabel = "SCALE", description = "upscale ratio; must match the model (default: the model's own)")
    Integer scale;

    @Option(names = "-t", paramLabel = "TILE", defaultValue = "0", description = "tile size in input pixels, >= 32; 0 = automatic (default)")
    int tileSize;

    @Option(names = "-g", paramLabel = "DEVICE", defaultValue = "-1", description = "device: -1 = CPU (default), 0.. = GPU; several, e.g. 0,-1, share the tiles; see 'model-compose devices'")
    String device;

    @Option(names = "--precision", paramLabel = "auto|fp32|fp16", defaultValue = "auto",
            description = "Vulkan storage of activations and weights: auto (default; fp16 on GPUs with 16-bit storage buffers, fp32 on CPU Vulkan devices), fp32 or fp16; arithmetic is fp32 either way")
    String precision;

    @Option(names = "-x", description = "TTA mode: average 8 flips/transposes (8x slower)")
    boolean tta;

    @Option(names = "-f", paramLabel = "FORMAT", description = "output format: png, jpg or webp (default: from OUT's extension, else png)")
    String format;

    @Option(names = "--tile-pad", paramLabel = "N", defaultValue = "-1",
            description = "real neighbouring pixels each tile reads per side; -1 = the model's receptive field (seamless for compact models, 24 for deep ones)")
    int tilePad;

    @Option(names = "--pre-pad", paramLabel = "N", defaultValue = "10", description = "mirrored padding around the image border, in input pixels (default: ${DEFAULT-VALUE})")
    int prePad;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "CPU threads; 0 = all cores (default)")
    int threads;

    @Option(names = "-v", description = "verbose output")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        ModelOptions load = ModelOptions.defaults().withDevices(Devices.parseList(device)).withPrecision(Precision.parse(precision));
        UpscaleOptions options = UpscaleOptions.defaults().withTileSize(tileSize).withTilePad(tilePad).withPrePad(prePad).withTta(tta)
                .withThreads(threads);
        ImageFormat explicitFormat = format == null ? null : ImageFormat.parse(format);
        if (!Files.exists(input)) throw new IllegalArgumentException("input " + input + " does not exist");
        boolean batch = Files.isDirectory(input);
        if (!batch && Files.isDirectory(output))
            throw new IllegalArgumentException("output " + output + " is a directory; give a file name, or a directory as input");

        ModelFiles files = ModelResolver.standard(err::println).withProgress(DownloadBars.forTerminal()).resolve(modelName, modelDir, scale);
        try (Model model = Model.load(files, load)) {
            if (scale != null && scale != model.scale())
                throw new IllegalArgumentException("model " + files.name() + " upscales x" + model.scale() + ", not x" + scale
                        + (modelName.endsWith("-x" + model.scale()) ? "" : "; choose a model made for x" + scale));
            if (verbose) {
                err.printf("model %s: x%d, receptive field %d px, tile pad %d%n", files.name(), model.scale(), model.receptiveRadius(),
                        model.effectiveTilePad(options));
                for (int d : load.devices()) err.println("device " + d + ": " + model.describeDevice(d));
            }
            List<Job> jobs = batch ? batchJobs(explicitFormat) : List.of(new Job(input, output,
                    explicitFormat != null ? explicitFormat : ImageFormat.fromPath(output).orElse(ImageFormat.PNG)));
            int failures = 0;
            for (int i = 0; i < jobs.size(); i++) {
                Job job = jobs.get(i);
                String label = jobs.size() > 1 ? "[" + (i + 1) + "/" + jobs.size() + "] " + job.in.getFileName() : job.in.getFileName().toString();
                try {
                    upscaleOne(model, options, job, label, err);
                } catch (IOException | UpscaleException | IllegalArgumentException e) {
                    if (!batch) throw e;
                    failures++;
                    err.println("error: " + job.in + ": " + e.getMessage());
                }
            }
            if (failures > 0) {
                err.println(failures + " of " + jobs.size() + " images failed");
                return ErrorHandler.EXIT_FAILURE;
            }
        }
        return 0;
    }

    private record Job(Path in, Path out, ImageFormat format) {}

    private List<Job> batchJobs(ImageFormat explicitFormat) throws IOException {
        ImageFormat fmt = explicitFormat != null ? explicitFormat : ImageFormat.PNG;
        Files.createDirectories(output);
        List<Job> jobs = new ArrayList<>();
        Set<Path> taken = new HashSet<>();
        try (Stream<Path> files = Files.list(input)) {
            for (Path in : files.filter(Files::isRegularFile).sorted().toList()) {
                Path out = ImageFiles.outputPathFor(in, output, fmt);
                // Two inputs with one stem (a.png, a.jpg): the second keeps its extension, as the official runner does.
                if (!taken.add(out)) out = output.resolve(in.getFileName() + "." + fmt.extension());
                taken.add(out);
                jobs.add(new Job(in, out, fmt));
            }
        }
        if (jobs.isEmpty()) throw new IllegalArgumentException("input directory " + input + " has no files");
        return jobs;
    }

    private void upscaleOne(Model model, UpscaleOptions options, Job job, String label, PrintWriter err) throws IOException {
        ImageWithMetadata read = ImageFiles.readWithMetadata(job.in);
        BufferedImage in = read.image();
        long start = System.nanoTime();
        BufferedImage out;
        dev.modelcompose.upscale.UpscaleJob upscaleJob;
        try (TerminalProgress progress = TerminalProgress.start(label)) {
            upscaleJob = progress.job();
            out = model.upscale(in, options, upscaleJob);
        }
        for (String w : upscaleJob.warnings()) err.println("warning: " + label + ": " + w);
        Path target = job.out;
        ImageFormat fmt = job.format;
        if (out.getColorModel().hasAlpha() && !fmt.supportsAlpha()) {
            // JPEG has no alpha: keep it by writing PNG next to the requested name, as the official runner does.
            fmt = ImageFormat.PNG;
            target = target.resolveSibling(target.getFileName() + ".png");
            err.println("note: " + job.in.getFileName() + " has transparency, which JPEG cannot hold; writing " + target.getFileName());
        }
        // The input's ICC profile and EXIF go into the output (EXIF orientation reset: the pixels are upright now).
        ImageFiles.write(out, target, fmt, read.metadata());
        err.printf("%s: %dx%d -> %dx%d in %.1f s -> %s%n", label, in.getWidth(), in.getHeight(), out.getWidth(), out.getHeight(),
                (System.nanoTime() - start) / 1e9, target);
    }
}
