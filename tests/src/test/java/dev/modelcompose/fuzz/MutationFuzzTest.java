package dev.modelcompose.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.imaging.ImageMetadata;
import dev.modelcompose.testing.NcnnModelWriter;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded random-mutation fuzzer with a fixed time budget, run with the normal tests: valid images (every format
 * and flavour read) and the corpus are mutated and decoded; a small valid model's .param and .bin are mutated and
 * opened. Only ImageReadException / UpscaleException may come out. The seed is fixed ({@code -Dfuzz.seed=N} for
 * another); the budget is {@code -Dfuzz.seconds} per target (default 8). A failing input is saved under
 * tests/target/fuzz-failures/ to be added to tests/src/test/resources/corpus/.
 *
 * <p>Coverage-guided fuzzing of the same targets: ImageDecodeFuzzTest and ModelLoadFuzzTest (Jazzer).
 */
class MutationFuzzTest {
    static final long SEED = Long.getLong("fuzz.seed", 20261127L);
    static final long BUDGET_NANOS = (long) (Double.parseDouble(System.getProperty("fuzz.seconds", "8")) * 1e9);

    @TempDir
    Path dir;

    @Test
    void imageDecodingOnlyEverThrowsImageReadException() throws Exception {
        List<byte[]> seeds = imageSeeds();
        Random r = new Random(SEED);
        long end = System.nanoTime() + BUDGET_NANOS;
        int runs = 0, decoded = 0;
        while (System.nanoTime() < end) {
            byte[] input = Mutator.mutate(seeds.get(r.nextInt(seeds.size())), r);
            try {
                if (FuzzTargets.decode(input)) decoded++;
            } catch (Throwable t) {
                throw new AssertionError("input " + runs + " (seed " + SEED + ") failed; saved as " + save("image-" + runs, input), t);
            }
            runs++;
        }
        System.out.printf("image fuzz: %d inputs from %d seeds, %d decoded%n", runs, seeds.size(), decoded);
        assertTrue(runs > 100, "the budget ran only " + runs + " inputs");
    }

    @Test
    void modelLoadingOnlyEverThrowsUpscaleException() throws Exception {
        NcnnModelWriter valid = FuzzTargets.validModel();
        String param = valid.paramText();
        byte[] paramBytes = param.getBytes(StandardCharsets.UTF_8), bin = valid.binBytes();
        assertTrue(FuzzTargets.load(dir, "valid", paramBytes, bin), "the unmutated model opens");
        Random r = new Random(SEED);
        long end = System.nanoTime() + BUDGET_NANOS;
        int runs = 0, opened = 0;
        while (System.nanoTime() < end) {
            boolean mutateParam = r.nextBoolean();
            byte[] p = mutateParam ? Mutator.mutateParam(param, r) : paramBytes;
            byte[] b = mutateParam && r.nextInt(4) != 0 ? bin : Mutator.mutate(bin, r);
            try {
                if (FuzzTargets.load(dir, "m" + (runs % 8), p, b)) opened++;
            } catch (Throwable t) {
                throw new AssertionError("model " + runs + " (seed " + SEED + ") failed; saved as "
                        + save("model-" + runs + ".param", p) + " and " + save("model-" + runs + ".bin", b), t);
            }
            runs++;
        }
        System.out.printf("model fuzz: %d models, %d opened%n", runs, opened);
        assertTrue(runs > 50, "the budget ran only " + runs + " models");
    }

    static Path save(String name, byte[] bytes) {
        try {
            Path out = Path.of("tests", "target", "fuzz-failures", name);
            Files.createDirectories(out.getParent());
            return Files.write(out, bytes);
        } catch (IOException e) {
            return null;
        }
    }

    /** Small valid files of every kind read, with and without metadata, plus the broken corpus. */
    static List<byte[]> imageSeeds() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        Random r = new Random(7);
        BufferedImage rgb = new BufferedImage(12, 9, BufferedImage.TYPE_INT_RGB);
        BufferedImage argb = new BufferedImage(7, 5, BufferedImage.TYPE_INT_ARGB);
        BufferedImage gray = new BufferedImage(9, 6, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage indexed = new BufferedImage(10, 4, BufferedImage.TYPE_BYTE_INDEXED);
        BufferedImage gray16 = new BufferedImage(6, 6, BufferedImage.TYPE_USHORT_GRAY);
        for (BufferedImage image : new BufferedImage[] {rgb, argb, gray, indexed, gray16}) {
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) image.setRGB(x, y, r.nextInt());
            }
        }
        ByteBuffer exif = ByteBuffer.allocate(26).order(ByteOrder.BIG_ENDIAN);
        exif.put(new byte[] {'M', 'M', 0, 42}).putInt(8).putShort((short) 1).putShort((short) 0x0112).putShort((short) 3).putInt(1)
                .putShort((short) 6).putShort((short) 0).putInt(0);
        ImageMetadata metadata = new ImageMetadata(ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData(), exif.array(), 1);
        for (ImageFormat format : ImageFormat.values()) {
            seeds.add(ImageFiles.encode(rgb, format));
            if (format != ImageFormat.JPG) seeds.add(ImageFiles.encode(argb, format));
        }
        for (ImageFormat format : ImageFormat.values()) seeds.add(ImageFiles.encode(rgb, format, metadata));
        seeds.add(ImageFiles.encode(gray, ImageFormat.JPG));
        for (String format : new String[] {"png", "gif", "bmp", "tiff"}) {
            for (BufferedImage image : new BufferedImage[] {rgb, gray, indexed, gray16}) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                if (ImageIO.write(image, format, out)) seeds.add(out.toByteArray());
            }
        }
        try (Stream<Path> files = Files.list(CorpusReplayTest.corpus("images"))) {
            for (Path file : files.sorted().toList()) seeds.add(Files.readAllBytes(file));
        }
        return seeds;
    }
}
