package dev.modelcompose.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.imaging.ExifBlocks;
import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.imaging.ImageMetadata;
import dev.modelcompose.imaging.ImageWithMetadata;
import dev.modelcompose.testing.ComposeYaml;
import dev.modelcompose.testing.TestAssets;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code upscale} and {@code run} turn EXIF-rotated input upright and carry its ICC profile and EXIF into the output. */
class CliMetadataTest {
    @TempDir
    Path dir;

    @Test
    void upscaleKeepsIccAndExifAndTurnsTheImageUpright() throws Exception {
        BufferedImage stored = new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 20; y++) for (int x = 0; x < 30; x++) stored.setRGB(x, y, (x * 8) << 16 | (y * 12) << 8 | 0x40);
        byte[] icc = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        byte[] exif = ByteBuffer.allocate(26).put(new byte[] {'M', 'M', 0, 42}).putInt(8).putShort((short) 1)
                .putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) 6).putShort((short) 0).putInt(0).array();
        Path in = Files.write(dir.resolve("phone.jpg"), ImageFiles.encode(stored, ImageFormat.JPG, new ImageMetadata(icc, exif, 1)));
        for (String ext : new String[] {"jpg", "png"}) {
            Path out = dir.resolve("out." + ext);
            StringWriter err = new StringWriter();
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            int exit = cli.execute("upscale", "-i", in.toString(), "-o", out.toString(), "-m", TestAssets.models().toString(),
                    "-n", "realesr-animevideov3", "-s", "2", "-f", ext);
            assertEquals(0, exit, err.toString());
            ImageWithMetadata result = ImageFiles.readWithMetadata(out);
            assertEquals(40, result.image().getWidth(), "upright: 20 wide, times 2");
            assertEquals(60, result.image().getHeight());
            assertArrayEquals(icc, result.metadata().icc());
            byte[] upright = exif.clone();
            upright[19] = 1;
            assertArrayEquals(upright, result.metadata().exif());
        }
    }

    @Test
    void upscaleFitsTheExifPixelSizeAndUnlinksTheSidewaysThumbnail() throws Exception {
        BufferedImage stored = new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB);
        Path in = Files.write(dir.resolve("phone.jpg"), ImageFiles.encode(stored, ImageFormat.JPG, new ImageMetadata(null, ExifBlocks.photo(6, 30, 20), 1)));
        Path out = dir.resolve("out.png");
        CliResult r = CliResult.run("upscale", "-i", in.toString(), "-o", out.toString(), "-m", TestAssets.models().toString(),
                "-n", "realesr-animevideov3", "-s", "2");
        assertEquals(0, r.exit(), r.err());
        byte[] exif = ImageFiles.readWithMetadata(out).metadata().exif();
        assertEquals(40, ExifBlocks.value(exif, ExifBlocks.PIXEL_X));
        assertEquals(60, ExifBlocks.value(exif, ExifBlocks.PIXEL_Y));
        assertEquals(0, ExifBlocks.nextIfd(exif));
    }

    /** A compose file upscaling {@code input.image} x2 with the real small model; {@code action} adds action keys. */
    private Path compose(String action) throws Exception {
        String yaml = ComposeYaml.upscaleWorkflow(ComposeYaml.testModel("realesr-animevideov3-x2"), 2, "params: {tile_size: 32}" + action);
        return Files.writeString(dir.resolve("model-compose.yml"), yaml);
    }

    @Test
    void runKeepsIccAndExifWithTheOutputSize() throws Exception {
        byte[] icc = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        BufferedImage stored = new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 20; y++) for (int x = 0; x < 30; x++) stored.setRGB(x, y, (x * 8) << 16 | (y * 12) << 8 | 0x40);
        Path in = Files.write(dir.resolve("phone.jpg"), ImageFiles.encode(stored, ImageFormat.JPG, new ImageMetadata(icc, ExifBlocks.photo(6, 30, 20), 1)));
        for (String action : new String[] {"", ", color_format: bgr"}) {
            Path f = compose(action);
            for (String ext : new String[] {"png", "jpg"}) {
                Path out = dir.resolve("out." + ext);
                CliResult r = CliResult.run("run", "-f", f.toString(), "-i", "{\"image\": \"" + in + "\"}", "-o", out.toString());
                assertEquals(0, r.exit(), r.err() + r.out());
                ImageWithMetadata result = ImageFiles.readWithMetadata(out);
                String what = ext + action;
                assertEquals(40, result.image().getWidth(), what + ": upright, 20 wide, times 2");
                assertEquals(60, result.image().getHeight(), what);
                assertArrayEquals(icc, result.metadata().icc(), what);
                byte[] exif = result.metadata().exif();
                assertEquals(1, ExifBlocks.value(exif, ExifBlocks.ORIENTATION), what);
                assertEquals(40, ExifBlocks.value(exif, ExifBlocks.PIXEL_X), what);
                assertEquals(60, ExifBlocks.value(exif, ExifBlocks.PIXEL_Y), what);
                assertEquals(0, ExifBlocks.nextIfd(exif), what + ": the sideways thumbnail is unlinked");
            }
        }
    }

    @Test
    void runWritesAnImageWithoutMetadataClean() throws Exception {
        Path in = dir.resolve("plain.png");
        ImageFiles.write(new BufferedImage(12, 10, BufferedImage.TYPE_INT_RGB), in, ImageFormat.PNG);
        Path out = dir.resolve("out.png");
        CliResult r = CliResult.run("run", "-f", compose("").toString(), "-i", "{\"image\": \"" + in + "\"}", "-o", out.toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        ImageWithMetadata result = ImageFiles.readWithMetadata(out);
        assertEquals(24, result.image().getWidth());
        assertTrue(result.metadata().isEmpty(), result.metadata().toString());
        String chunks = new String(Files.readAllBytes(out), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(!chunks.contains("iCCP") && !chunks.contains("eXIf"), "no metadata chunks");
    }
}
