package dev.modelcompose.cli;

import dev.modelcompose.models.ModelResolver;
import dev.modelcompose.upscale.Model;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.ModelOptions;
import dev.modelcompose.upscale.PixelBuffer;
import dev.modelcompose.upscale.Precision;
import dev.modelcompose.upscale.UpscaleJob;
import dev.modelcompose.upscale.UpscaleOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code model-compose bench}: ours against the competitor on the same model and input, in one run, with the ratios. On
 * the CPU the competitor is PyTorch in its best configurations on this machine (channels_last fp32, and bf16 autocast
 * where the CPU multiplies bf16), both sides warm in this run. On a GPU (-g N) with --official it is
 * realesrgan-ncnn-vulkan on the same device: whole processes on both sides by default (what a user types), or with
 * --warm both warm.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, subcommands = HttpOverheadBench.class,
        description = {"Time our runner against PyTorch on the CPU (same model, input and threads; PyTorch channels_last fp32, and bf16",
                "autocast where the CPU has bf16), or against realesrgan-ncnn-vulkan on a GPU (-g N --official BINARY), and print ratios.",
                "PyTorch needs Debian's python3-torch and the repository's bench/torch_esrgan.py."})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "-n", paramLabel = "MODEL", defaultValue = "realesrgan-x4plus", description = "model name (default: ${DEFAULT-VALUE})")
    String modelName;

    @Option(names = "-m", paramLabel = "MODEL_DIR", defaultValue = "models", description = "model directory (default: ${DEFAULT-VALUE})")
    Path modelDir;

    @Option(names = "--size", defaultValue = "128", description = "input image side in pixels (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--threads", defaultValue = "2", description = "CPU threads for both sides (default: ${DEFAULT-VALUE})")
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

    @Option(names = "--scaling", description = "also time a 1024x1024 image and print its cost per pixel against --size's")
    boolean scaling;

    @Option(names = "-g", paramLabel = "DEVICE", defaultValue = "-1", description = "our device: -1 = CPU (default), 0.. = Vulkan GPU")
    String device;

    @Option(names = "--precision", paramLabel = "auto|fp32|fp16|bf16",
            description = {"ours in this precision only (default: on the CPU fp32 and, where the CPU has bf16, bf16; on a GPU auto)"})
    String precision;

    @Option(names = "--official", paramLabel = "BINARY",
            description = "realesrgan-ncnn-vulkan binary to time on the same Vulkan device (-g, 0 when -g is -1) and image")
    Path official;

    @Option(names = "--warm", description = "with --official: both warm (ours in this JVM, the official binary over a folder of images) instead of whole processes")
    boolean warm;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (size < 8 || repeat < 1 || threads < 1) throw new IllegalArgumentException("--size >= 8, --repeat >= 1 and --threads >= 1 are required");
        ModelFiles files = ModelResolver.standard(spec.commandLine().getErr()::println).resolve(modelName, modelDir, null);
        int deviceId = Devices.parse(device);
        out.printf(Locale.ROOT, "machine: %s; CPU levels: %s%n", cpuModel(), String.join(", ", Model.cpuInstructionSets()));
        out.printf(Locale.ROOT, "model %s, image %dx%d (+%d px mirrored pre-pad: %dx%d network input), %d threads%n", files.name(), size, size,
                prePad, size + 2 * prePad, size + 2 * prePad, threads);
        UpscaleOptions options = UpscaleOptions.defaults().withThreads(threads).withPrePad(prePad);
        if (official != null) {
            Precision p = precision == null ? Precision.AUTO : Precision.parse(precision);
            new OfficialComparison(files, ModelOptions.defaults().withDevice(Math.max(deviceId, 0)).withPrecision(p), options, official, repeat, out)
                    .run(image(size), warm);
            return 0;
        }
        cpuOrDevice(files, deviceId, options, out);
        return 0;
    }

    /** Ours in each precision against PyTorch's best configurations, warm; then the per-pixel cost at 1024 px. */
    private void cpuOrDevice(ModelFiles files, int deviceId, UpscaleOptions options, PrintWriter out) throws Exception {
        List<String> levels = Model.cpuInstructionSets();
        boolean cpuBf16 = levels.contains("avx512_bf16") || levels.contains("amx_bf16");
        List<Precision> precisions = precision != null ? List.of(Precision.parse(precision))
                : deviceId >= 0 ? List.of(Precision.AUTO) : cpuBf16 ? List.of(Precision.FP32, Precision.BF16) : List.of(Precision.FP32);
        Map<String, Double> ours = new LinkedHashMap<>();
        for (Precision p : precisions) {
            ModelOptions load = ModelOptions.defaults().withDevice(deviceId).withPrecision(p);
            try (Model model = Model.load(files, load)) {
                double best = best(model, image(size), options);
                ours.put("ours " + p, best);
                out.printf(Locale.ROOT, "ours %s: best %.3f s  [%s]%n", p, best, model.describeDevice(deviceId));
            }
        }
        if (!noTorch) {
            Map<String, Double> torch = new LinkedHashMap<>();
            torch.put("PyTorch fp32 channels_last", torch(files, false, out));
            if (cpuBf16) torch.put("PyTorch bf16 autocast channels_last", torch(files, true, out));
            for (var o : ours.entrySet())
                for (var t : torch.entrySet())
                    out.printf(Locale.ROOT, "ratio %s / %s: %.2fx %s%n", t.getKey(), o.getKey(), t.getValue() / o.getValue(),
                            t.getValue() >= o.getValue() ? "(ours faster)" : "(PyTorch faster)");
        }
        if (scaling) {
            try (Model model = Model.load(files, ModelOptions.defaults().withDevice(deviceId).withPrecision(precisions.get(0)))) {
                double small = best(model, image(size), options) / ((double) size * size);
                double large = best(model, image(1024), options) / (1024.0 * 1024);
                out.printf(Locale.ROOT, "cost per image pixel (whole upscale, automatic tile %d px for 1024): %dx%d %.2f us, 1024x1024 %.2f us: %.2fx%n",
                        model.plannedTileSize(1024, 1024, options), size, size, small * 1e6, large * 1e6, large / small);
            }
        }
    }

    /** Best of --repeat warm runs (after one warm-up that builds plans and primitives). */
    private double best(Model model, PixelBuffer image, UpscaleOptions options) {
        model.upscale(image, options, new UpscaleJob());
        double best = Double.MAX_VALUE;
        for (int i = 0; i < repeat; i++) {
            long t0 = System.nanoTime();
            model.upscale(image, options, new UpscaleJob());
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }

    static PixelBuffer image(int side) {
        byte[] pixels = new byte[side * side * 3];
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++) {
                int i = (y * side + x) * 3;
                pixels[i] = (byte) (127 + 127 * Math.sin(x / 7.0));
                pixels[i + 1] = (byte) (127 + 127 * Math.cos(y / 5.0));
                pixels[i + 2] = (byte) ((x ^ y) * 3);
            }
        return new PixelBuffer(side, side, 3, pixels);
    }

    /** PyTorch's best of --repeat warm forwards on the same padded input, channels_last, fp32 or bf16 autocast. */
    private double torch(ModelFiles files, boolean bf16, PrintWriter out) throws IOException, InterruptedException {
        if (!Files.isRegularFile(torchScript))
            throw new IllegalArgumentException(torchScript + " not found: run bench from the repository root or pass --torch-script");
        List<String> cmd = new ArrayList<>(List.of(python, torchScript.toString(), "bench", "--param", files.param().toString(), "--bin",
                files.bin().toString(), "--size", Integer.toString(size + 2 * prePad), "--threads", Integer.toString(threads), "--repeat",
                Integer.toString(repeat), "--channels-last"));
        if (bf16) cmd.add("--bf16");
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
        out.printf(Locale.ROOT, "PyTorch %s channels_last: best %.3f s%n", bf16 ? "bf16 autocast" : "fp32", best);
        return best;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip() + ", " + Runtime.getRuntime().availableProcessors() + " cores";
        } catch (IOException e) {
            // not Linux: the levels below still say what runs
        }
        return System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " cores";
    }
}
