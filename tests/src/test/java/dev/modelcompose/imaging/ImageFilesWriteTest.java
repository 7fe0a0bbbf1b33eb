package dev.modelcompose.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesWriteTest {
    @TempDir
    Path dir;

    /** An image whose rows start failing after the encoder has read {@code goodRows} of them. */
    static final class FailingImage extends BufferedImage {
        private int rowsLeft;

        FailingImage(int w, int h, int goodRows) {
            super(w, h, BufferedImage.TYPE_INT_RGB);
            this.rowsLeft = goodRows;
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) setRGB(x, y, x * 0x10101 ^ y * 0x3300);
        }

        @Override
        public Raster getData(Rectangle rect) {
            if (rowsLeft-- <= 0) throw new IllegalStateException("simulated encoder failure");
            return super.getData(rect);
        }

        @Override
        public Raster getData() {
            throw new IllegalStateException("simulated encoder failure");
        }
    }

    private List<String> listing(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void anEncoderFailureLeavesNoFileAndNoTempFile() throws Exception {
        Path target = dir.resolve("out.png");
        IOException e = assertThrows(IOException.class, () -> ImageFiles.write(new FailingImage(300, 200, 100), target, ImageFormat.PNG));
        assertTrue(e.getMessage().startsWith(target + ": cannot encode PNG"), e.getMessage());
        assertEquals(List.of(), listing(dir));

        Path webp = dir.resolve("out.webp");
        assertThrows(IOException.class, () -> ImageFiles.write(new FailingImage(30, 20, 0), webp, ImageFormat.WEBP));
        assertEquals(List.of(), listing(dir));
    }

    @Test
    void aFailedWriteLeavesTheOldFileAsItWas() throws Exception {
        Path target = dir.resolve("out.png");
        Files.write(target, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> ImageFiles.write(new FailingImage(300, 200, 100), target, ImageFormat.PNG));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        assertEquals(List.of("out.png"), listing(dir));
    }

    @Test
    void aSuccessfulWriteReplacesTheOldFile() throws Exception {
        Path target = dir.resolve("out.png");
        Files.write(target, new byte[] {1, 2, 3});
        BufferedImage image = TestImages.rgb(10, 10, 1);
        ImageFiles.write(image, target, ImageFormat.PNG);
        TestImages.assertSameRgb(image, ImageFiles.read(target));
        assertEquals(List.of("out.png"), listing(dir));
    }

    @Test
    void aReadOnlyDirectoryLeavesNothingBehind() throws Exception {
        Path readOnly = Files.createDirectory(dir.resolve("ro"));
        PosixFileAttributeView view = Files.getFileAttributeView(readOnly, PosixFileAttributeView.class);
        assumeTrue(view != null, "POSIX permissions");
        view.setPermissions(PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(readOnly), "running as root: permissions are not enforced");
            Path target = readOnly.resolve("out.png");
            IOException e = assertThrows(IOException.class, () -> ImageFiles.write(TestImages.rgb(8, 8, 1), target, ImageFormat.PNG));
            assertTrue(e.getMessage().startsWith(target + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
            assertEquals(List.of(), listing(readOnly));
        } finally {
            view.setPermissions(PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aTargetThatIsADirectoryIsRefused() throws Exception {
        Path target = Files.createDirectories(dir.resolve("out.png"));
        Files.write(target.resolve("keep"), new byte[] {1});
        IOException e = assertThrows(IOException.class, () -> ImageFiles.write(TestImages.rgb(8, 8, 1), target, ImageFormat.PNG));
        assertEquals(target + ": is a directory", e.getMessage());
        assertEquals(List.of("out.png"), listing(dir));
        assertEquals(List.of("keep"), listing(target));
    }

    @Test
    void aParentThatIsAFileIsRefused() throws Exception {
        Path file = Files.write(dir.resolve("file"), new byte[] {1});
        Path target = file.resolve("out.png");
        IOException e = assertThrows(IOException.class, () -> ImageFiles.write(TestImages.rgb(8, 8, 1), target, ImageFormat.PNG));
        assertTrue(e.getMessage().startsWith(target + ": cannot create the directory"), e.getMessage());
        assertEquals(List.of("file"), listing(dir));
    }

    @Test
    void webpRefusesMoreThan16383PixelsASideBeforeWriting() throws Exception {
        Path target = dir.resolve("wide.webp");
        IOException e = assertThrows(IOException.class,
                () -> ImageFiles.write(new BufferedImage(16384, 1, BufferedImage.TYPE_INT_RGB), target, ImageFormat.WEBP));
        assertTrue(e.getMessage().contains("WebP cannot store a 16384x1 image"), e.getMessage());
        assertEquals(List.of(), listing(dir));
        assertEquals(16383, ImageFiles.read(ImageFiles.encode(new BufferedImage(16383, 1, BufferedImage.TYPE_INT_RGB), ImageFormat.WEBP), "x").getWidth());
    }

    @Test
    void writtenFilesGetOrdinaryPermissionsNotThoseOfATempFile() throws Exception {
        Path reference = Files.createFile(dir.resolve("reference"));
        Set<PosixFilePermission> expected;
        try {
            expected = Files.getPosixFilePermissions(reference);
        } catch (UnsupportedOperationException e) {
            assumeTrue(false, "POSIX permissions");
            return;
        }
        Path target = dir.resolve("out.jpg");
        ImageFiles.write(TestImages.rgb(8, 8, 1), target, ImageFormat.JPG);
        assertEquals(expected, Files.getPosixFilePermissions(target));
    }

    @Test
    void webpNativeLibraryLoads() throws Exception {
        ImageFiles.requireWebp();
    }

    @Test
    void aWebpLibraryThatCannotLoadGivesAnIOExceptionNamingWebp() throws Exception {
        // webp-imageio unpacks libwebp into java.io.tmpdir; a JVM whose tmpdir does not exist cannot load it.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Djava.io.tmpdir=" + dir.resolve("missing-tmp"),
                "-cp", System.getProperty("java.class.path"), WebpLoadProbe.class.getName())
                .redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "probe finished");
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("write: java.io.IOException: "), output);
        assertTrue(output.contains("WebP support is unavailable"), output);
        assertTrue(output.contains("read: dev.modelcompose.imaging.ImageReadException: x.webp: cannot decode WebP: WebP support is unavailable"), output);
        assertFalse(output.contains("UnsatisfiedLinkError:"), output);
        assertTrue(output.contains("png: ok"), output);
    }
}
