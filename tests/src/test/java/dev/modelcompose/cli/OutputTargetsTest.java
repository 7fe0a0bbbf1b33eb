package dev.modelcompose.cli;

import static dev.modelcompose.cli.CliResult.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.testing.ComposeYaml;
import dev.modelcompose.testing.TestAssets;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code upscale -o} and {@code run -o} never replace what is not a regular file: a FIFO and a character device are
 * written into and stay what they were, a directory is refused, a symbolic link keeps pointing at its file. The
 * devices are copies of /dev/null and /dev/full made in the test's directory (as root), or the system's (otherwise,
 * where nothing could replace them anyway), so a regression cannot harm the machine.
 */
class OutputTargetsTest {
    @TempDir
    Path dir;

    private Path image() throws Exception {
        BufferedImage img = new BufferedImage(10, 6, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 6; y++) for (int x = 0; x < 10; x++) img.setRGB(x, y, x * 20 << 16 | y * 40 << 8 | 99);
        Path p = dir.resolve("in.png");
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    private static CliResult upscale(Path in, Path out) {
        return run("upscale", "-i", in.toString(), "-o", out.toString(), "-m", TestAssets.models().toString(), "-n", "realesr-animevideov3-x2",
                "-f", "png");
    }

    private static String type(Path p) throws Exception {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return switch (mode & 0170000) {
            case 0100000 -> "file";
            case 0020000 -> "character device";
            case 0010000 -> "fifo";
            case 0040000 -> "directory";
            case 0120000 -> "link";
            default -> "other";
        };
    }

    /** A character device like the system's {@code name} (1, minor): made here when we may, else the system's own. */
    private Path device(String name, int minor) throws Exception {
        Path own = dir.resolve(name);
        Process mknod = new ProcessBuilder("mknod", own.toString(), "c", "1", String.valueOf(minor)).redirectErrorStream(true).start();
        if (mknod.waitFor(10, TimeUnit.SECONDS) && mknod.exitValue() == 0) return own;
        return Path.of("/dev", name);
    }

    private Path fifo(String name) throws Exception {
        Path p = dir.resolve(name);
        Process mkfifo = new ProcessBuilder("mkfifo", p.toString()).start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
        return p;
    }

    @Test
    void aFifoIsWrittenIntoAndStaysAFifo() throws Exception {
        Path in = image();
        for (String command : new String[] {"upscale", "run"}) {
            Path fifo = fifo(command + ".fifo");
            CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return Files.readAllBytes(fifo);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            CliResult r;
            if (command.equals("upscale")) {
                r = upscale(in, fifo);
            } else {
                Path compose = dir.resolve("model-compose.yml");
                Files.writeString(compose, ComposeYaml.upscaleWorkflow(ComposeYaml.testModel("realesr-animevideov3-x2"), 2, ""));
                r = run("-f", compose.toString(), "run", "-i", "{\"image\": \"" + in + "\"}", "-o", fifo.toString());
            }
            assertEquals(0, r.exit(), r.err());
            BufferedImage out = ImageIO.read(new ByteArrayInputStream(read.get(60, TimeUnit.SECONDS)));
            assertEquals(20, out.getWidth(), command);
            assertEquals("fifo", type(fifo), command + " must not replace the FIFO");
        }
    }

    @Test
    void characterDevicesAreWrittenIntoNeverReplaced() throws Exception {
        Path in = image();
        Path nul = device("null", 3);
        CliResult r = upscale(in, nul);
        assertEquals(0, r.exit(), r.err());
        assertEquals("character device", type(nul));

        Path full = device("full", 7);
        r = upscale(in, full);
        assertEquals(1, r.exit());
        assertTrue(r.err().contains(full + ": cannot write PNG: No space left on device"), r.err());
        assertEquals("character device", type(full), "a failed write leaves the device as it was");
    }

    @Test
    void aDirectoryIsRefusedAndALinkKeepsPointingAtItsFile() throws Exception {
        Path in = image();
        Path target = Files.createDirectory(dir.resolve("out.png"));
        CliResult r = upscale(in, target);
        assertEquals(1, r.exit());
        assertTrue(r.err().contains(target + " is a directory"), r.err());

        Path real = dir.resolve("real.png");
        Files.write(real, new byte[] {1, 2, 3});
        Path link = Files.createSymbolicLink(dir.resolve("link.png"), real.getFileName());
        r = upscale(in, link);
        assertEquals(0, r.exit(), r.err());
        assertEquals("link", type(link));
        assertEquals(20, ImageIO.read(real.toFile()).getWidth(), "the file the link names holds the image");
        assertArrayEquals(Files.readAllBytes(real), Files.readAllBytes(link));
    }
}
