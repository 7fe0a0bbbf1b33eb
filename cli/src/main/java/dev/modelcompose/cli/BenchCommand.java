package dev.modelcompose.cli;

import dev.modelcompose.models.ModelResolver;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.PixelBuffer;
import dev.modelcompose.upscale.Precision;
import dev.modelcompose.upscale.Model;
import dev.modelcompose.upscale.ModelOptions;
import dev.modelcompose.upscale.UpscaleOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code model-compose bench}: our CPU path and PyTorch on the same model and input, in one run.
 * PyTorch runs the same network on the same padded input our runner feeds it (image + pre-pad on
 * every side), so both do identical work; ours is timed end to end (pixels in, pixels out).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, subcommands = HttpOverheadBench.class,
        description = {"Time our runner against PyTorch (same model, same input, same threads) and print the ratio.",
                "Needs Debian's python3-torch and the repository's bench/torch_esrgan.py.",
                "With --official, also time the realesrgan-ncnn-vulkan binary on the same device and image (whole runs, cold)."})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "-n", paramLabel = "MODEL", defaultValue = "realesrgan-x4plus", description = "model name (default: ${DEFAULT-VALUE})")
    String modelName;

    @Option(names = "-m", paramLabel = "MODEL_DIR", defaultValue = "models", description = "model directory (default: ${DEFAULT-VALUE})")
    Path modelDir;

    @Option(names = "--size", defaultValue = "128", description = "input image side in pixels (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--threads", defaultValue = "2", description = "threads for both (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--repeat", defaultValue = "3", description = "timed runs after one warm-up; the best counts (default: ${DEFAULT-VALUE})")
    int repeat;

    @Option(names = "--pre-pad", defaultValue = "10", description = "mirrored pre-pad, as in upscale (default: ${DEFAULT-VALUE})")
    int prePad;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch (default: ${DEFAULT-VALUE})")
    String python;

    @Option(names = "--torch-script", defaultValue = "bench/torch_esrgan.py", description = "PyTorch reference script (default: ${DEFAULT-VALUE})")
    Path torchScript;

    @Option(names = "--no-torch", description = "skip PyTorch")
    boolean noTorch;

    @Option(names = "-g", paramLabel = "DEVICE", defaultValue = "-1", description = "our device: -1 = CPU (default), 0.. = Vulkan GPU")
    String device;

    @Option(names = "--precision", paramLabel = "auto|fp32|fp16", defaultValue = "auto",
            description = "Vulkan storage of activations and weights: auto (default; fp16 on GPUs with 16-bit storage buffers, fp32 on CPU Vulkan devices), fp32 or fp16; arithmetic is fp32 either way")
    String precision;

    @Option(names = "--official", paramLabel = "BINARY",
            description = "realesrgan-ncnn-vulkan binary to time on the same image, on Vulkan device -g (0 when -g is -1)")
    Path official;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (size < 8 || repeat < 1 || threads < 1) throw new IllegalArgumentException("--size >= 8, --repeat >= 1 and --threads >= 1 are required");
        ModelFiles files = ModelResolver.standard(spec.commandLine().getErr()::println).resolve(modelName, modelDir, null);
        int networkSide = size + 2 * prePad;
        out.printf(Locale.ROOT, "model %s, image %dx%d (+%d px mirrored pre-pad: %dx%d network input), %d threads%n", files.name(), size, size,
                prePad, networkSide, networkSide, threads);

        int deviceId = Devices.parse(device);
        ModelOptions load = ModelOptions.defaults().withDevice(deviceId).withPrecision(Precision.parse(precision));
        UpscaleOptions options = UpscaleOptions.defaults().withThreads(threads).withPrePad(prePad);
        if (official != null) compareWithOfficial(files, load, options, out);

        List<Double> cpu = new ArrayList<>();
        List<String> device = new ArrayList<>();
        List<Double> ours = timeOurs(files, load, options, cpu, device);
        double oursBest = ours.stream().min(Double::compare).orElseThrow();
        out.printf(Locale.ROOT, "ours    (%s): best %.3f s of %s (process CPU time: %s)%n", device.get(0), oursBest, format(ours),
                format(cpu));
        if (noTorch) return 0;

        double torchBest = timeTorch(files, networkSide, out);
        out.printf(Locale.ROOT, "pytorch: best %.3f s%n", torchBest);
        out.printf(Locale.ROOT, "ratio (pytorch time / our time): %.2fx %s%n", torchBest / oursBest,
                torchBest / oursBest >= 1 ? "(ours faster)" : "(pytorch faster)");
        return 0;
    }

    private PixelBuffer syntheticImage() {
        byte[] pixels = new byte[size * size * 3];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) {
                int i = (y * size + x) * 3;
                pixels[i] = (byte) (127 + 127 * Math.sin(x / 7.0));
                pixels[i + 1] = (byte) (127 + 127 * Math.cos(y / 5.0));
                pixels[i + 2] = (byte) ((x ^ y) * 3);
            }
        return new PixelBuffer(size, size, 3, pixels);
    }

    /**
     * Wall times of the timed runs; `cpu` gets the CPU time this process spent on each (all threads, the
     * driver's too: with a software Vulkan device it shows the work even when other processes share the cores).
     */
    private List<Double> timeOurs(ModelFiles files, ModelOptions load, UpscaleOptions options, List<Double> cpu, List<String> device) {
        PixelBuffer image = syntheticImage();
        List<Double> times = new ArrayList<>();
        try (Model model = Model.load(files, load)) {
            device.add(model.describeDevice(load.device()));
            model.upscale(image, options, new dev.modelcompose.upscale.UpscaleJob());  // warm-up: compiles kernels, caches primitives
            for (int i = 0; i < repeat; i++) {
                long t0 = System.nanoTime();
                long c0 = processCpuNanos();
                model.upscale(image, options, new dev.modelcompose.upscale.UpscaleJob());
                times.add((System.nanoTime() - t0) / 1e9);
                cpu.add((processCpuNanos() - c0) / 1e9);
            }
        }
        return times;
    }

    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    /**
     * Whole runs on both sides, as a user sees them: the official binary's process (load, compile,
     * upscale, PNG in and out) against ours in this JVM (load, compile, upscale, PNG in and out).
     */
    private void compareWithOfficial(ModelFiles files, ModelOptions load, UpscaleOptions options, PrintWriter out) throws Exception {
        int deviceId = load.device();
        Path work = Files.createTempDirectory("mc-bench");
        try {
            Path models = Files.createDirectories(work.resolve("models"));  // the official binary wants "models" in the path
            Files.copy(files.param(), models.resolve(files.param().getFileName()));
            Files.copy(files.bin(), models.resolve(files.bin().getFileName()));
            Path in = work.resolve("in.png");
            dev.modelcompose.imaging.ImageFiles.write(dev.modelcompose.upscale.BufferedImages.fromPixels(syntheticImage(), null), in,
                    dev.modelcompose.imaging.ImageFormat.PNG);
            int gpu = Math.max(deviceId, 0);
            List<String> cmd = List.of(official.toString(), "-i", in.toString(), "-o", work.resolve("official.png").toString(), "-m",
                    models.toString(), "-n", files.name(), "-s", Integer.toString(scaleOf(files)), "-g", Integer.toString(gpu));
            double officialBest = Double.MAX_VALUE, oursBest = Double.MAX_VALUE;
            String device = "";
            for (int i = 0; i < repeat; i++) {
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) throw new IOException("the official binary failed:\n" + log.strip());
                officialBest = Math.min(officialBest, (System.nanoTime() - t0) / 1e9);

                long t1 = System.nanoTime();
                try (Model m = Model.load(files, load)) {
                    device = m.describeDevice(deviceId);
                    var result = m.upscale(dev.modelcompose.imaging.ImageFiles.read(in), options);
                    dev.modelcompose.imaging.ImageFiles.write(result, work.resolve("ours.png"), dev.modelcompose.imaging.ImageFormat.PNG);
                }
                oursBest = Math.min(oursBest, (System.nanoTime() - t1) / 1e9);
            }
            out.printf(Locale.ROOT, "official realesrgan-ncnn-vulkan (Vulkan %d), whole run: best %.3f s%n", gpu, officialBest);
            out.printf(Locale.ROOT, "ours (%s), whole run: best %.3f s%n", device, oursBest);
            out.printf(Locale.ROOT, "ratio (official time / our time): %.2fx %s%n", officialBest / oursBest,
                    officialBest >= oursBest ? "(ours faster)" : "(official faster)");
        } finally {
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private int scaleOf(ModelFiles files) {
        try (Model m = Model.load(files)) {
            return m.scale();
        }
    }

    private double timeTorch(ModelFiles files, int networkSide, PrintWriter out) throws IOException, InterruptedException {
        if (!Files.isRegularFile(torchScript))
            throw new IllegalArgumentException(torchScript + " not found: run bench from the repository root or pass --torch-script");
        List<String> cmd = List.of(python, torchScript.toString(), "bench", "--param", files.param().toString(), "--bin",
                files.bin().toString(), "--size", Integer.toString(networkSide), "--threads", Integer.toString(threads), "--repeat",
                Integer.toString(repeat));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0)
            throw new IOException("the PyTorch benchmark failed (is python3-torch installed? apt-get install python3-torch):\n" + text.strip());
        Double best = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("TORCH_SECONDS ")) best = Double.parseDouble(line.substring(14).strip());
            else if (line.startsWith("# ")) out.println("pytorch " + line.substring(2));
        }
        if (best == null) throw new IOException("the PyTorch benchmark printed no TORCH_SECONDS line:\n" + text.strip());
        return best;
    }

    private static String format(List<Double> times) {
        return String.join(" ", times.stream().map(t -> String.format(Locale.ROOT, "%.3f", t)).toList());
    }
}
