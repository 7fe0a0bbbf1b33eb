package dev.modelcompose.cli;

import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.upscale.BufferedImages;
import dev.modelcompose.upscale.Model;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.ModelOptions;
import dev.modelcompose.upscale.PixelBuffer;
import dev.modelcompose.upscale.UpscaleOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Ours against realesrgan-ncnn-vulkan on the same Vulkan device and image, compared like with like: whole processes on
 * both sides (ours as the model-compose command a user types: JVM start, native library, model load, pipelines, PNG in and
 * out), or both warm (ours with the model loaded once in this JVM; the official binary over a folder of copies of the
 * image, its per-image time being the extra time each further image costs in one process).
 */
final class OfficialComparison {
    private final ModelFiles files;
    private final ModelOptions load;
    private final UpscaleOptions options;
    private final Path official;
    private final int repeat;
    private final PrintWriter out;

    OfficialComparison(ModelFiles files, ModelOptions load, UpscaleOptions options, Path official, int repeat, PrintWriter out) {
        this.files = files;
        this.load = load;
        this.options = options;
        this.official = official;
        this.repeat = repeat;
        this.out = out;
    }

    void run(PixelBuffer image, boolean warm) throws Exception {
        Path work = Files.createTempDirectory("mc-bench");
        try {
            Path models = Files.createDirectories(work.resolve("models"));  // the official binary wants "models" in the path
            Files.copy(files.param(), models.resolve(files.param().getFileName()));
            Files.copy(files.bin(), models.resolve(files.bin().getFileName()));
            Path in = Files.createDirectories(work.resolve("in")).resolve("image.png");
            ImageFiles.write(BufferedImages.fromPixels(image, null), in, ImageFormat.PNG);
            int scale;
            String device;
            try (Model m = Model.load(files, load)) {
                scale = m.scale();
                device = m.describeDevice(load.device());
            }
            if (warm) warm(work, models, in, scale, device);
            else wholeProcesses(work, models, in, scale, device);
        } finally {
            try (var walk = Files.walk(work)) {
                walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private void wholeProcesses(Path work, Path models, Path in, int scale, String device) throws Exception {
        List<String> ours = new ArrayList<>(ourCommand());
        ours.addAll(List.of("upscale", "-i", in.toString(), "-o", work.resolve("ours.png").toString(), "-m", models.toString(), "-n", files.name(),
                "-g", Integer.toString(load.device()), "--precision", load.precision().toString(), "--pre-pad", Integer.toString(options.prePad())));
        List<String> theirs = officialCommand(in, work.resolve("official.png"), models, scale);
        double oursBest = Double.MAX_VALUE, officialBest = Double.MAX_VALUE;
        for (int i = 0; i < repeat; i++) {  // alternating, so neither side always runs on a cooler machine
            officialBest = Math.min(officialBest, time(theirs));
            oursBest = Math.min(oursBest, time(ours));
        }
        out.printf(Locale.ROOT, "whole processes (start, load, upscale, PNG in and out), best of %d, alternating:%n", repeat);
        out.printf(Locale.ROOT, "official realesrgan-ncnn-vulkan (Vulkan %d): %.3f s%n", load.device(), officialBest);
        out.printf(Locale.ROOT, "ours, the model-compose command (%s): %.3f s%n", device, oursBest);
        ratio(officialBest, oursBest);
    }

    private void warm(Path work, Path models, Path in, int scale, String device) throws Exception {
        // official: one process over one image, and one over repeat + 1 copies; each further image costs its warm time
        int copies = repeat + 1;
        Path folder = Files.createDirectories(work.resolve("many"));
        for (int i = 0; i < copies; i++) Files.copy(in, folder.resolve("image" + i + ".png"));
        Path outFolder = Files.createDirectories(work.resolve("many-out"));
        double one = time(officialCommand(in, work.resolve("official.png"), models, scale));
        double many = time(officialCommand(folder, outFolder, models, scale));
        double officialWarm = (many - one) / (copies - 1);
        double oursBest = Double.MAX_VALUE;
        try (Model m = Model.load(files, load)) {
            for (int i = 0; i <= repeat; i++) {
                long t0 = System.nanoTime();
                ImageFiles.write(m.upscale(ImageFiles.read(in), options), work.resolve("ours.png"), ImageFormat.PNG);
                if (i > 0) oursBest = Math.min(oursBest, (System.nanoTime() - t0) / 1e9);  // the first run builds plans and pipelines
            }
        }
        out.printf(Locale.ROOT, "warm, per image (PNG in, upscale, PNG out):%n");
        out.printf(Locale.ROOT, "official realesrgan-ncnn-vulkan (Vulkan %d): %.3f s (%d images in one process %.3f s, one %.3f s)%n", load.device(),
                officialWarm, copies, many, one);
        out.printf(Locale.ROOT, "ours (%s), model loaded once: best %.3f s of %d%n", device, oursBest, repeat);
        ratio(officialWarm, oursBest);
    }

    private void ratio(double official, double ours) {
        out.printf(Locale.ROOT, "ratio (official time / our time): %.2fx %s%n", official / ours, official >= ours ? "(ours faster)" : "(official faster)");
    }

    private List<String> officialCommand(Path in, Path out, Path models, int scale) {
        return List.of(official.toString(), "-i", in.toString(), "-o", out.toString(), "-m", models.toString(), "-n", officialName(files.name(), scale),
                "-s", Integer.toString(scale), "-g", Integer.toString(load.device()));
    }

    /** The official binary finds realesr-animevideov3-x4.param as -n realesr-animevideov3 -s 4. */
    private static String officialName(String name, int scale) {
        return name.endsWith("-x" + scale) && name.startsWith("realesr-animevideov3") ? name.substring(0, name.length() - 3) : name;
    }

    /** This program as a user starts it: java -jar model-compose.jar, or the main class on this classpath (tests). */
    private static List<String> ourCommand() throws URISyntaxException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path code = Path.of(OfficialComparison.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (code.toString().endsWith(".jar")) return List.of(java, "-jar", code.toString());
        return List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName());
    }

    private static double time(List<String> cmd) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) throw new IOException(cmd.get(0) + " failed:\n" + log.strip());
        return (System.nanoTime() - t0) / 1e9;
    }
}
