package dev.modelcompose.fuzz;

import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageReadException;
import dev.modelcompose.testing.NcnnModelWriter;
import dev.modelcompose.testing.NcnnModelWriter.Tag;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.UpscaleException;
import dev.modelcompose.upscale.Model;
import java.nio.file.Path;
import java.util.Random;

/** The two fuzz targets, shared by the Jazzer fuzz tests, the seeded mutation fuzzer and the corpus replay. */
final class FuzzTargets {
    /** Small enough that a hostile header cannot make a fuzz run allocate much. */
    static final long MAX_PIXELS = 4_000_000;

    private FuzzTargets() {}

    /**
     * Decodes {@code bytes}; returns true if they decoded, false if refused with an ImageReadException. Anything else
     * (another exception, an Error) propagates and fails the caller.
     */
    static boolean decode(byte[] bytes) {
        try {
            ImageFiles.readWithMetadata(bytes, "fuzz", MAX_PIXELS).image().getRGB(0, 0);
            return true;
        } catch (ImageReadException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("fuzz: ")) {
                throw new AssertionError("the message does not name the input: " + e.getMessage(), e);
            }
            return false;
        }
    }

    /** Opens the model; true if it opened (and was closed), false if refused with an UpscaleException. */
    static boolean load(ModelFiles files) {
        try (Model upscaler = Model.load(files)) {
            return upscaler.scale() > 0;
        } catch (UpscaleException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) throw new AssertionError("an UpscaleException without a message", e);
            return false;
        }
    }

    static boolean load(Path dir, String name, byte[] param, byte[] bin) {
        return load(NcnnModelWriter.writeRaw(dir, name, param, bin));
    }

    /** Input -> conv1 (3->4, 3x3, fp16, bias) -> PReLU -> conv2 (4->3, 3x3, fp32, bias), as MalformedModelTest's. */
    static NcnnModelWriter validModel() {
        Random r = new Random(1);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.conv("conv1", "data", "c1", 4, 3, 3).put(4, 1).put(5, 1).tagged(Tag.FP16, floats(r, 108)).untagged(floats(r, 4));
        m.layer("PReLU", "prelu1", "c1", "p1").put(0, 4).untagged(floats(r, 4));
        m.conv("conv2", "p1", "output", 3, 4, 3).put(4, 1).put(5, 1).tagged(Tag.FP32, floats(r, 108)).untagged(floats(r, 3));
        return m;
    }

    private static float[] floats(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) (r.nextGaussian() * 0.1);
        return f;
    }
}
