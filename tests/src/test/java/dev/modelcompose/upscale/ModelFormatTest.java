package dev.modelcompose.upscale;

import static dev.modelcompose.testing.OpModels.random;
import static dev.modelcompose.testing.OpModels.randomConv;
import static dev.modelcompose.testing.OpModels.tinySrvgg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.testing.NcnnModelWriter;
import dev.modelcompose.testing.NcnnModelWriter.Tag;
import dev.modelcompose.testing.OpModels;
import dev.modelcompose.testing.ReferenceOps;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a model's files say, read right: weight encodings (fp16 special values, int8 with scales, mixed tags and
 * their padding) and the scale and channels inferred from the graph. The ops themselves are checked on every backend
 * by the conformance suite ({@code dev.modelcompose.conformance.OpConformanceTest}).
 */
class ModelFormatTest {
    private static final double TOLERANCE = 1e-4;
    private static final AtomicInteger MODELS = new AtomicInteger();

    @TempDir
    static Path dir;

    static Activation runNative(NcnnModelWriter model, Activation input) {
        try (Model u = Model.load(model.write(dir, "fmt" + MODELS.incrementAndGet()))) {
            return u.forward(input);
        }
    }

    static void check(NcnnModelWriter model, Activation input) {
        OpModels.assertClose(ReferenceOps.forward(model, input), runNative(model, input), TOLERANCE, false, "expected", "got", "model:\n" + model);
    }

    @Test
    void scaleAndChannelsAreInferredFromTheGraph() {
        try (Model u = Model.load(tinySrvgg(new Random(400)).write(dir, "srvgg-mini"))) {
            assertEquals(2, u.scale());
            assertEquals(3, u.inputChannels());
        }
        for (double[] shuffleScale : new double[][] {{2, 0.5}, {4, 0.75}, {4, 0.25}, {2, 1.5}}) {
            int shuffle = (int) shuffleScale[0];
            NcnnModelWriter m = new NcnnModelWriter();
            m.input("data", 3 * shuffle * shuffle);
            m.layer("PixelShuffle", "ps", "data", "big").put(0, shuffle);
            m.layer("Interp", "resize", "big", "output").put(0, 3).put(1, shuffleScale[1]).put(2, shuffleScale[1]);
            try (Model u = Model.load(m.write(dir, "scale" + MODELS.incrementAndGet()))) {
                assertEquals((int) Math.round(shuffle * shuffleScale[1]), u.scale(), "scale inferred from the graph");
            }
        }
    }

    @Test
    void pixelShuffleModesDiffer() {
        // guards the conformance cases: the two modes must not be the same permutation on this input
        Random r = new Random(11);
        Activation in = random(r, 12, 3, 3, -1, 1);
        assertTrue(!java.util.Arrays.equals(ReferenceOps.pixelShuffle(in, 2, 0).data(), ReferenceOps.pixelShuffle(in, 2, 1).data()));
    }

    @Test
    void fp16WeightsDecodeSpecialValues() {
        short[] halves = {
            0x0001,          // smallest subnormal 2^-24
            0x03FF,          // largest subnormal
            (short) 0x8000,  // negative zero
            (short) 0x8001,  // negative smallest subnormal
            0x0400,          // smallest normal 2^-14
            0x3555,          // ~0.33325
            0x3C00,          // 1
            (short) 0xC000,  // -2
            0x7BFF,          // 65504, the largest finite half
        };
        float[] w = NcnnModelWriter.fromHalves(halves);
        assertEquals((float) Math.pow(2, -24), w[0]);
        assertEquals(-0.0f, w[2]);
        assertEquals(65504f, w[8]);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data", 1);
        // 9 halves = 18 bytes, padded to 20 before the fp32 bias: checks the alignment rule too
        m.conv("conv", "data", "output", halves.length, 1, 1).put(5, 1).tagged(Tag.FP16, w).untagged(new float[halves.length]);
        assertEquals(4 + 20 + 4 * halves.length, m.binBytes().length);
        Activation in = random(new Random(9), 1, 3, 4, 100, 1000);
        Activation out = runNative(m, in);
        for (int o = 0; o < halves.length; o++)
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 4; x++) {
                    float expected = w[o] * in.get(0, y, x);
                    float got = out.get(o, y, x);
                    int oo = o;
                    assertTrue(Math.abs(got - expected) <= 1e-6 * Math.abs(expected),
                            () -> String.format(Locale.ROOT, "fp16 word 0x%04X: expected %g, got %g", halves[oo] & 0xFFFF, expected, got));
                }
    }

    @Test
    void int8WeightsAreDequantizedWithTheirPerChannelScales() {
        // 2 outputs x 3 inputs x 1x1: raw int8 values and their scales; w = q / scale.
        float[] q = {-128, -1, 0, 1, 64, 127};
        float[] scales = {64f, 0.5f};
        float[] bias = {0.25f, -1f};
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data", 3);
        m.conv("conv", "data", "output", 2, 3, 1).put(5, 1).put(8, 1).tagged(Tag.INT8, q).untagged(bias).untagged(scales)
                .untagged(new float[] {1f});
        Activation in = random(new Random(11), 3, 2, 3, -1, 1);
        Activation out = runNative(m, in);
        for (int o = 0; o < 2; o++)
            for (int y = 0; y < 2; y++)
                for (int x = 0; x < 3; x++) {
                    double expected = bias[o];
                    for (int i = 0; i < 3; i++) expected += q[o * 3 + i] / scales[o] * in.get(i, y, x);
                    assertEquals(expected, out.get(o, y, x), 1e-4 * Math.max(1, Math.abs(expected)));
                }
    }

    @Test
    void fp16AndFp32LayersMixedWithOddWeightCounts() {
        Random r = new Random(500);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        randomConv(m, r, "c1", "data", "a", 3, 3, 1, 1, true, Tag.FP16);   // 9 halves: padded
        randomConv(m, r, "c2", "a", "b", 3, 5, 3, 3, false, Tag.FP16).put(4, 1); // 135 halves, no bias after the pad
        randomConv(m, r, "c3", "b", "c", 5, 3, 1, 1, true, Tag.FP32);
        m.layer("PReLU", "p", "c", "output").put(0, 3).untagged(new float[] {0.1f, 0.2f, 0.3f});
        check(m, random(r, 3, 6, 7, -1, 1));
    }

    @Test
    void writerRoundsToHalfLikeIeee() {
        // the writer's own fp16 encoder (used by the other tests) against hand-checked words
        assertEquals((short) 0x3C00, NcnnModelWriter.floatToHalf(1f));
        assertEquals((short) 0x8000, NcnnModelWriter.floatToHalf(-0f));
        assertEquals((short) 0x0001, NcnnModelWriter.floatToHalf((float) Math.pow(2, -24)));
        assertEquals((short) 0x7BFF, NcnnModelWriter.floatToHalf(65504f));
        assertEquals((short) 0x3555, NcnnModelWriter.floatToHalf(1f / 3));
        IntStream.range(0, 0x7C00).forEach(h -> assertEquals((short) h, NcnnModelWriter.floatToHalf(NcnnModelWriter.halfToFloat((short) h)),
                () -> "round trip of 0x" + Integer.toHexString(h)));
    }
}
