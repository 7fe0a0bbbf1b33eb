package dev.modelcompose.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.testing.CliProcess;
import dev.modelcompose.testing.ComposeYaml;
import dev.modelcompose.testing.TestAssets;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code upscale} and {@code run} killed (SIGKILL) while upscaling, as separate processes: outputs are written to a
 * temporary file and renamed, so an output path holds a complete image or nothing.
 */
class KilledCommandTest {
    private static final Duration START_LIMIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private static void kill(Process p, Path log) throws Exception {
        assertTrue(p.isAlive(), () -> "finished before it could be killed (make the image bigger):\n" + CliProcess.read(log));
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }

    private static void writePng(Path path, int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) img.setRGB(x, y, (x * 7 & 0xFF) << 16 | (y * 5 & 0xFF) << 8 | (x ^ y) & 0xFF);
        ImageFiles.write(img, path, ImageFormat.PNG);
    }

    /** The names in a directory that are not hidden (a killed write can only leave a hidden {@code .NAME.*.tmp}). */
    private static List<String> visibleFiles(Path d) throws Exception {
        try (Stream<Path> files = Files.list(d)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    @Test
    void upscaleKilledOnTheSecondImageKeepsTheFirstWholeAndWritesNothingForTheSecond() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Path out = dir.resolve("out");
        writePng(in.resolve("a.png"), 12, 10);
        writePng(in.resolve("b.png"), 400, 300);  // seconds of work on the CPU
        Path log = dir.resolve("upscale.log");
        Process p = CliProcess.start(dir, log, "upscale", "-i", in.toString(), "-o", out.toString(), "-m", TestAssets.models().toString(),
                "-n", "realesr-animevideov3-x4", "-t", "64", "-v");
        try {
            CliProcess.awaitLog(p, log, "-> " + out.resolve("a.png"), START_LIMIT);
            kill(p, log);
        } finally {
            p.destroyForcibly();
        }
        assertEquals(List.of("a.png"), visibleFiles(out), CliProcess.read(log));
        BufferedImage a = ImageIO.read(out.resolve("a.png").toFile());
        assertNotNull(a);
        assertEquals("48x40", a.getWidth() + "x" + a.getHeight());
    }

    private Path project() throws Exception {
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.writeString(project.resolve("model-compose.yml"),
                ComposeYaml.upscaleWorkflow(ComposeYaml.testModel("realesr-animevideov3-x4"), 4, "params: {tile_size: 64}"));
        writePng(project.resolve("big.png"), 400, 300);
        return project;
    }

    private Process run(Path project, Path target, Path log) throws Exception {
        return CliProcess.start(dir, log, "-f", project.resolve("model-compose.yml").toString(), "run", "--input",
                "{\"image\": \"" + project.resolve("big.png") + "\"}", "-o", target.toString(), "-v");
    }

    @Test
    void runKilledWhileUpscalingLeavesNoOutputFile() throws Exception {
        Path project = project();
        Path target = project.resolve("big-x4.png");
        Path log = dir.resolve("run.log");
        Process p = run(project, target, log);
        try {
            CliProcess.awaitLog(p, log, "Job '__job__' started.", START_LIMIT);
            Thread.sleep(50);  // into the run: loading the model or upscaling
            kill(p, log);
        } finally {
            p.destroyForcibly();
        }
        assertFalse(Files.exists(target), CliProcess.read(log));
        assertEquals(List.of("big.png", "model-compose.yml"), visibleFiles(project));
    }

    /**
     * Killed as soon as writing the output starts (its temporary file appears), i.e. while the PNG is being encoded: the
     * output path then holds nothing, or (when the rename won the race) the whole image, never a truncated one.
     */
    @Test
    void runKilledWhileWritingItsOutputLeavesNoPartialFile() throws Exception {
        Path project = project();
        Path target = project.resolve("big-x4.png");
        Path log = dir.resolve("run.log");
        Process p = run(project, target, log);
        boolean killedWhileWriting = false;
        try {
            long deadline = System.nanoTime() + START_LIMIT.toNanos();
            while (p.isAlive() && System.nanoTime() < deadline) {
                try (Stream<Path> files = Files.list(project)) {
                    // the temporary file, or the output itself if it were written in place
                    if (files.anyMatch(f -> f.getFileName().toString().startsWith(".big-x4.png.") || f.equals(target))) {
                        p.destroyForcibly();
                        killedWhileWriting = true;
                        break;
                    }
                }
                Thread.sleep(2);
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        System.out.println("killed while writing: " + killedWhileWriting + ", output file: " + Files.exists(target));
        if (Files.exists(target)) {
            BufferedImage out = ImageIO.read(target.toFile());
            assertNotNull(out, "a complete PNG");
            assertEquals("1600x1200", out.getWidth() + "x" + out.getHeight());
        }
        assertTrue(killedWhileWriting || Files.exists(target), CliProcess.read(log));
    }
}
