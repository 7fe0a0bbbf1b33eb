package dev.modelcompose.vulkan;

import static dev.modelcompose.testing.OpModels.binaryModel;
import static dev.modelcompose.testing.OpModels.eltwiseModel;
import static dev.modelcompose.testing.OpModels.random;
import static dev.modelcompose.testing.OpModels.randomConv;
import static dev.modelcompose.testing.OpModels.tinySrvgg;
import static dev.modelcompose.vulkan.VulkanTesting.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelcompose.testing.NcnnModelWriter;
import dev.modelcompose.testing.NcnnModelWriter.Layer;
import dev.modelcompose.testing.NcnnModelWriter.Tag;
import dev.modelcompose.upscale.Activation;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.Precision;
import dev.modelcompose.upscale.UpscaleOptions;
import dev.modelcompose.upscale.Upscaler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every op the CPU path supports, on the Vulkan device, against the CPU path on small random models, once
 * with fp32 storage (within 1e-3, relative above 1) and once with fp16 storage (within {@link #FP16_TOLERANCE}).
 * Models whose size changes are wrapped with PixelShuffle / Reorg so the runner accepts them as integer
 * upscalers (as in OpReferenceTest).
 */
class VulkanOpsTest {
    private static final double TOLERANCE = 1e-3;
    /**
     * fp16 storage rounds the input, the weights and every op's output to 11 significant bits (relative error
     * up to 2^-11 = 4.9e-4 each; arithmetic stays fp32). One op sees about three such roundings, a chain of layers
     * (the dense block, 8 deep) more, and a convolution's sum of rounded products errs by about 1e-3 of the sum
     * of |products|, not of the (possibly cancelled) result. So, as for fp32, the bound is absolute below 1 and
     * relative above, for inputs of magnitude about 1 (scaled for larger ones); the worst seen is about 5e-3.
     * Wrong indexing or a missed conversion errs by whole units.
     */
    private static final double FP16_TOLERANCE = 8e-3;
    private static final AtomicInteger MODELS = new AtomicInteger();

    @TempDir
    static Path dir;

    @BeforeAll
    static void device() {
        VulkanTesting.requireFp16Storage();
    }

    private static void check(NcnnModelWriter m, Activation... inputs) {
        check(m, 1, inputs);
    }

    /** Both storage precisions; the fp16 bound grows with the magnitude of the inputs (its rounding error does). */
    private static void check(NcnnModelWriter m, double inputMagnitude, Activation... inputs) {
        VulkanTesting.compare(dir, "vk" + MODELS.incrementAndGet(), m, Precision.FP32, TOLERANCE, inputs);
        VulkanTesting.compare(dir, "vk" + MODELS.incrementAndGet(), m, Precision.FP16, FP16_TOLERANCE * Math.max(1, inputMagnitude), inputs);
    }

    // ---- Convolution -----------------------------------------------------------------------------

    record ConvCase(String label, int in, int out, int kw, int kh, boolean bias, int stride, Consumer<Layer> params) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<ConvCase> convCases() {
        return Stream.of(
                new ConvCase("1x1 no pad, bias", 3, 5, 1, 1, true, 1, l -> {}),
                new ConvCase("3x3 pad 1, no bias", 3, 4, 3, 3, false, 1, l -> l.put(4, 1)),
                new ConvCase("5x5 pad 2", 3, 6, 5, 5, true, 1, l -> l.put(4, 2)),
                new ConvCase("2x2 asymmetric pad right/bottom", 3, 4, 2, 2, true, 1, l -> l.put(4, 0).put(15, 1).put(14, 0).put(16, 1)),
                new ConvCase("3x3 asymmetric pads l0 r2 t2 b0", 3, 4, 3, 3, true, 1, l -> l.put(4, 0).put(15, 2).put(14, 2).put(16, 0)),
                new ConvCase("3x3 dilation 2, pad 2", 3, 4, 3, 3, true, 1, l -> l.put(2, 2).put(4, 2)),
                new ConvCase("3x3 dilation w2 h1", 3, 4, 3, 3, true, 1, l -> l.put(2, 2).put(12, 1).put(4, 2).put(14, 1)),
                new ConvCase("5x5 dilation 2, asymmetric pads", 3, 2, 5, 5, true, 1, l -> l.put(2, 2).put(4, 3).put(15, 5).put(14, 5).put(16, 3)),
                new ConvCase("kernel w3 h1", 3, 4, 3, 1, true, 1, l -> l.put(4, 1).put(14, 0)),
                new ConvCase("kernel w1 h5", 3, 4, 1, 5, true, 1, l -> l.put(4, 0).put(14, 2)),
                new ConvCase("stride 2, 3x3 pad 1", 3, 12, 3, 3, true, 2, l -> l.put(3, 2).put(4, 1)),
                new ConvCase("stride 2, 4x4 pad 1", 3, 12, 4, 4, true, 2, l -> l.put(3, 2).put(4, 1)),
                new ConvCase("stride 2, 1x1", 3, 12, 1, 1, false, 2, l -> l.put(3, 2).put(13, 2)),
                new ConvCase("SAME_UPPER 4x4", 3, 4, 4, 4, true, 1, l -> l.put(4, -233)),
                new ConvCase("SAME_LOWER 4x4", 3, 4, 4, 4, true, 1, l -> l.put(4, -234)),
                new ConvCase("SAME_UPPER 3x3 stride 2", 3, 12, 3, 3, true, 2, l -> l.put(3, 2).put(4, -233)),
                new ConvCase("pad_value 0.5, 3x3 pad 1", 3, 4, 3, 3, true, 1, l -> l.put(4, 1).put(18, 0.5)),
                new ConvCase("pad_value -1.25, SAME_LOWER 4x4", 3, 4, 4, 4, false, 1, l -> l.put(4, -234).put(18, -1.25)),
                new ConvCase("pad_value 2 with stride 2", 3, 12, 3, 3, true, 2, l -> l.put(3, 2).put(4, 0).put(15, 1).put(14, 1).put(16, 0).put(18, 2.0)),
                // 3x3 stride 1 output channel counts for the multi-block conv3x3 shaders (lavapipe picks
                // 2 blocks of 8 for 12 channels, 4 for 19 (one block past the end) and 29)
                new ConvCase("3 -> 12 channels", 3, 12, 3, 3, true, 1, l -> l.put(4, 1)),
                new ConvCase("3 -> 19 channels", 3, 19, 3, 3, true, 1, l -> l.put(4, 1)),
                new ConvCase("5 -> 29 channels", 5, 29, 3, 3, true, 1, l -> l.put(4, 1)),
                new ConvCase("19 -> 5 channels, 1x1", 19, 5, 1, 1, true, 1, l -> {}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convCases")
    void convolution(ConvCase c) {
        Random r = new Random(c.label().hashCode());
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data", c.in());
        Layer conv = randomConv(m, r, "conv", "data", c.stride() == 1 ? "output" : "conv_out", c.in(), c.out(), c.kw(), c.kh(), c.bias(),
                Tag.FP16);
        c.params().accept(conv);
        if (c.stride() > 1) m.layer("PixelShuffle", "ps", "conv_out", "output").put(0, c.stride());
        check(m, random(r, c.in(), 16, 24, -1, 1), random(r, c.in(), 11, 13, -1, 1));
    }

    static Stream<Arguments> threeByThreeShapes() {
        // in, out, activation, its first param: the shapes of the fast 3x3 / stride-1 shader
        return Stream.of(Arguments.of(3, 64, 2, 0.2), Arguments.of(64, 64, 2, 0.2), Arguments.of(64, 48, 0, 0.0), Arguments.of(16, 16, 0, 0.0),
                Arguments.of(8, 20, 1, 0.0), Arguments.of(24, 16, 3, -0.25), Arguments.of(64, 3, 0, 0.0), Arguments.of(192, 64, 0, 0.0),
                Arguments.of(96, 32, 2, 0.2));
    }

    @ParameterizedTest(name = "{0} -> {1}, activation {2}")
    @MethodSource("threeByThreeShapes")
    void threeByThreeConvolutions(int in, int out, int act, double param) {
        Random r = new Random(in * 1000 + out * 10 + act);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data", in);
        Layer conv = randomConv(m, r, "conv", "data", "output", in, out, 3, 3, true, Tag.FP16).put(4, 1).put(9, act);
        if (act == 2) conv.putArray(10, param);
        if (act == 3) conv.putArray(10, param, -param);
        List<Activation> inputs = new ArrayList<>();
        // degenerate rows and columns, sizes around the 8-pixel invocations and work-group shapes
        for (int[] size : new int[][] {{1, 1}, {1, 7}, {6, 1}, {5, 9}, {8, 8}, {13, 17}, {33, 40}, {9, 70}, {70, 9}})
            inputs.add(random(r, in, size[0], size[1], -1, 1));
        check(m, inputs.toArray(new Activation[0]));
    }

    static Stream<Arguments> activations() {
        return Stream.of(Arguments.of(0, new double[0]), Arguments.of(1, new double[0]), Arguments.of(2, new double[] {0.2}),
                Arguments.of(2, new double[] {-0.5}), Arguments.of(3, new double[] {-0.5, 0.75}), Arguments.of(4, new double[0]),
                Arguments.of(5, new double[0]), Arguments.of(6, new double[] {0.2, 0.5}), Arguments.of(6, new double[] {1.0 / 6, 0.5}),
                Arguments.of(3, new double[0]), Arguments.of(6, new double[0]));
    }

    @ParameterizedTest(name = "activation_type {0}, params {1}")
    @MethodSource("activations")
    void fusedActivations(int type, double[] params) {
        Random r = new Random(100 + type);
        for (int kernel : new int[] {3, 1}) { // the 3x3 shader and the generic one
            NcnnModelWriter m = new NcnnModelWriter();
            m.input("data");
            Layer conv = randomConv(m, r, "conv", "data", "output", 3, 6, kernel, kernel, true, Tag.FP32).put(4, kernel / 2).put(9, type);
            if (params.length > 0) conv.putArray(10, params);
            // inputs in [-3, 3] (and large weights below) push pre-activations over every branch
            check(m, 3, random(r, 3, 12, 14, -3, 3));
            check(m, 30, random(r, 3, 5, 4, -30, 30));
        }
    }

    // ---- Eltwise / BinaryOp / PReLU ----------------------------------------------------------------

    @Test
    void eltwise() {
        Random r = new Random(1);
        check(eltwiseModel(r, 0, null, 3), random(r, 3, 9, 11, -2, 2));
        check(eltwiseModel(r, 1, null, 3), random(r, 3, 9, 11, -2, 2));
        check(eltwiseModel(r, 1, new double[] {0.2, -1.5, 3.0}, 3), random(r, 3, 9, 11, -2, 2));
        check(eltwiseModel(r, 1, new double[] {0.2, 1.0}, 2), random(r, 3, 8, 8, -2, 2));
        check(eltwiseModel(r, 2, null, 3), random(r, 3, 9, 11, -2, 2));
        check(eltwiseModel(r, 1, new double[] {0.5, 0.25, -1, 2}, 4), random(r, 3, 7, 5, -2, 2));
    }

    @ParameterizedTest(name = "op_type {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
    void binaryOp(int op) {
        Random r = new Random(10 + op);
        check(binaryModel(r, op), random(r, 3, 10, 7, 0.1, 2.0));
        for (double b : new double[] {1.5, -0.75, 2.0}) {
            if (b < 0 && op == 9) continue; // RPOW: a negative base to a fractional power is NaN
            NcnnModelWriter m = new NcnnModelWriter();
            m.input("data");
            m.layer("BinaryOp", "binary", "data", "output").put(0, op).put(1, 1).put(2, b);
            check(m, random(r, 3, 10, 7, 0.1, 2.0));
        }
        if (op <= 8) {
            for (boolean vectorFirst : new boolean[] {false, true}) {
                NcnnModelWriter m = new NcnnModelWriter();
                m.input("data");
                m.split("split", "data", "a", "s");
                m.layer("Interp", "pool", "s", "v").put(0, 2).put(3, 1).put(4, 1);
                m.layer("BinaryOp", "binary", vectorFirst ? List.of("v", "a") : List.of("a", "v"), List.of("output")).put(0, op);
                check(m, random(r, 3, 8, 11, 0.1, 2.0));
            }
        }
    }

    @Test
    void binaryPowWithNegativeBases() {
        // std::pow semantics: integer exponents of negative bases are defined
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.layer("BinaryOp", "binary", "data", "output").put(0, 6).put(1, 1).put(2, 3.0);
        check(m, random(new Random(61), 3, 6, 5, -2, 2));
    }

    @Test
    void prelu() {
        Random r = new Random(5);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        randomConv(m, r, "conv", "data", "c", 3, 5, 3, 3, true, Tag.FP16).put(4, 1);
        m.layer("PReLU", "prelu", "c", "output").put(0, 5).untagged(new float[] {0.25f, -0.5f, 0f, 1.5f, 0.01f});
        check(m, random(r, 3, 9, 10, -1, 1));
        NcnnModelWriter shared = new NcnnModelWriter();
        shared.input("data");
        shared.layer("PReLU", "prelu", "data", "output").put(0, 1).untagged(new float[] {0.3f});
        check(shared, random(r, 3, 9, 10, -1, 1));
    }

    // ---- Interp ------------------------------------------------------------------------------------

    static Stream<Arguments> interpScales() {
        // resize_type, PixelShuffle factor in front (1 = none), Interp scale
        return Stream.of(Arguments.of(1, 1, 2.0), Arguments.of(1, 1, 3.0), Arguments.of(1, 1, 4.0), Arguments.of(2, 1, 2.0),
                Arguments.of(2, 1, 3.0), Arguments.of(3, 1, 2.0), Arguments.of(3, 1, 4.0), Arguments.of(1, 2, 0.5), Arguments.of(2, 2, 0.5),
                Arguments.of(3, 2, 0.5), Arguments.of(3, 4, 0.75), Arguments.of(2, 4, 0.75), Arguments.of(3, 4, 0.25), Arguments.of(3, 2, 1.5));
    }

    @ParameterizedTest(name = "resize_type {0}, PixelShuffle {1}, scale {2}")
    @MethodSource("interpScales")
    void interp(int type, int shuffle, double scale) {
        Random r = new Random(type * 100 + shuffle * 10 + (int) (scale * 4));
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data", 3 * shuffle * shuffle);
        String in = "data";
        if (shuffle > 1) {
            m.layer("PixelShuffle", "ps", "data", "big").put(0, shuffle);
            in = "big";
        }
        m.layer("Interp", "resize", in, "output").put(0, type).put(1, scale).put(2, scale);
        check(m, random(r, 3 * shuffle * shuffle, 8, 6, -1, 1), random(r, 3 * shuffle * shuffle, 5, 7, -1, 1));
    }

    @Test
    void interpAlignCornerAndIntScales() {
        Random r = new Random(80);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.layer("Interp", "resize", "data", "output").put(0, 2).put(1, 3.0).put(2, 3.0).put(6, 1);
        check(m, random(r, 3, 5, 7, -1, 1));
        for (int type = 1; type <= 3; type++) {
            NcnnModelWriter n = new NcnnModelWriter();
            n.input("data");
            n.layer("Interp", "resize", "data", "output").put(0, type).put(1, 2).put(2, 2);
            check(n, random(r, 3, 6, 5, -1, 1));
        }
    }

    @ParameterizedTest(name = "resize_type {0}")
    @ValueSource(ints = {1, 2, 3})
    void interpExplicitOutputSize(int type) {
        Random r = new Random(90 + type);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.split("split", "data", "a", "s");
        m.layer("Interp", "pool", "s", "v").put(0, type).put(3, 1).put(4, 1);
        m.layer("BinaryOp", "binary", List.of("a", "v"), List.of("output")).put(0, 1);
        check(m, random(r, 3, 8, 11, -1, 1), random(r, 3, 1, 1, -1, 1));
    }

    // ---- PixelShuffle / Reorg / Concat / Split -------------------------------------------------------

    @ParameterizedTest(name = "r {0}, mode {1}")
    @MethodSource("shuffles")
    void pixelShuffle(int r, int mode) {
        Random rnd = new Random(r * 10 + mode);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data", 3 * r * r);
        m.layer("PixelShuffle", "ps", "data", "output").put(0, r).put(1, mode);
        check(m, random(rnd, 3 * r * r, 5, 6, -1, 1));
    }

    static Stream<Arguments> shuffles() {
        return Stream.of(Arguments.of(2, 0), Arguments.of(2, 1), Arguments.of(3, 0), Arguments.of(3, 1), Arguments.of(4, 0), Arguments.of(4, 1));
    }

    @ParameterizedTest(name = "stride {0}, mode {1}")
    @MethodSource("reorgs")
    void reorg(int s, int mode) {
        Random r = new Random(200 + s * 10 + mode);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.layer("Reorg", "reorg", "data", "small").put(0, s).put(1, mode);
        randomConv(m, r, "mix", "small", "mixed", 3 * s * s, 3 * s * s, 1, 1, true, Tag.FP32);
        m.layer("PixelShuffle", "ps", "mixed", "output").put(0, s);
        check(m, random(r, 3, 4 * s, 5 * s, -1, 1));
        NcnnModelWriter perm = new NcnnModelWriter();
        perm.input("data");
        perm.layer("Reorg", "reorg", "data", "small").put(0, s).put(1, mode);
        perm.layer("PixelShuffle", "ps", "small", "output").put(0, s).put(1, 1 - mode);
        check(perm, random(r, 3, 2 * s, 3 * s, -1, 1));
    }

    static Stream<Arguments> reorgs() {
        return Stream.of(Arguments.of(2, 0), Arguments.of(3, 0), Arguments.of(2, 1));
    }

    @Test
    void concatOfOddChannelCountsIncludingTheInput() {
        Random r = new Random(300);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.split("split", "data", "x0", "x1", "x2");
        randomConv(m, r, "c5", "x1", "five", 3, 5, 3, 3, true, Tag.FP16).put(4, 1);
        randomConv(m, r, "c7", "x2", "seven", 3, 7, 1, 1, true, Tag.FP32);
        m.layer("Concat", "cat", List.of("x0", "five", "seven"), List.of("output")).put(0, 0);
        check(m, random(r, 3, 9, 13, -1, 1));
    }

    @Test
    void concatInAnyOrderFeedingAConv() {
        Random r = new Random(301);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.split("split", "data", "x0", "x1", "x2");
        randomConv(m, r, "c5", "x1", "five", 3, 5, 3, 3, true, Tag.FP32).put(4, 1);
        randomConv(m, r, "c7", "x2", "seven", 3, 7, 3, 3, true, Tag.FP32).put(4, 1).put(9, 2).putArray(10, 0.2);
        m.layer("Concat", "cat", List.of("seven", "x0", "five"), List.of("cat"));
        randomConv(m, r, "fuse", "cat", "output", 15, 3, 3, 3, true, Tag.FP16).put(4, 1);
        check(m, random(r, 3, 10, 12, -1, 1));
    }

    /** The dense block of RRDBNet: each conv reads the concat of the block input and every earlier output. */
    static NcnnModelWriter denseBlock(Random r, int nf, int gc) {
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        randomConv(m, r, "first", "data", "x", 3, nf, 3, 3, true, Tag.FP16).put(4, 1);
        m.split("sx", "x", "x1", "x2", "x3", "x4", "x5", "x6");
        randomConv(m, r, "c1", "x1", "o1", nf, gc, 3, 3, true, Tag.FP16).put(4, 1).put(9, 2).putArray(10, 0.2);
        m.split("s1", "o1", "o1a", "o1b", "o1c", "o1d");
        m.layer("Concat", "cat1", List.of("x2", "o1a"), List.of("k1"));
        randomConv(m, r, "c2", "k1", "o2", nf + gc, gc, 3, 3, true, Tag.FP16).put(4, 1).put(9, 2).putArray(10, 0.2);
        m.split("s2", "o2", "o2a", "o2b", "o2c");
        m.layer("Concat", "cat2", List.of("x3", "o1b", "o2a"), List.of("k2"));
        randomConv(m, r, "c3", "k2", "o3", nf + 2 * gc, gc, 3, 3, true, Tag.FP16).put(4, 1).put(9, 2).putArray(10, 0.2);
        m.split("s3", "o3", "o3a", "o3b");
        m.layer("Concat", "cat3", List.of("x4", "o1c", "o2b", "o3a"), List.of("k3"));
        randomConv(m, r, "c4", "k3", "o4", nf + 3 * gc, gc, 3, 3, true, Tag.FP16).put(4, 1).put(9, 2).putArray(10, 0.2);
        m.layer("Concat", "cat4", List.of("x5", "o1d", "o2c", "o3b", "o4"), List.of("k4"));
        randomConv(m, r, "c5", "k4", "o5", nf + 4 * gc, nf, 3, 3, true, Tag.FP16).put(4, 1);
        m.layer("Eltwise", "res", List.of("o5", "x6"), List.of("y")).put(0, 1).putArray(1, 0.2, 1.0);
        randomConv(m, r, "last", "y", "output", nf, 3, 3, 3, true, Tag.FP16).put(4, 1);
        return m;
    }

    @Test
    void denseBlockConcatsArePlacedInPlace() {
        Random r = new Random(302);
        check(denseBlock(r, 16, 8), random(r, 3, 12, 10, -1, 1), random(r, 3, 7, 20, -1, 1));
    }

    @Test
    void concatsThatCannotAllBeInPlace() {
        Random r = new Random(303);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.split("sx", "data", "x1", "x2", "x3", "x4", "x5");
        randomConv(m, r, "ca", "x1", "a", 3, 4, 3, 3, true, Tag.FP32).put(4, 1);
        randomConv(m, r, "cb", "x2", "b", 3, 4, 1, 1, true, Tag.FP32);
        m.split("sa", "a", "a1", "a2", "a3");
        // the same input twice, two concats that want the input's neighbour to be different blobs, a concat of a concat
        m.layer("Concat", "twice", List.of("x3", "x4"), List.of("t"));
        m.layer("Concat", "withA", List.of("x5", "a1"), List.of("u"));
        m.layer("Concat", "withB", List.of("t", "b", "a2"), List.of("v"));
        m.split("sv", "v", "v1", "v2");
        m.layer("Concat", "nested", List.of("u", "v1", "a3"), List.of("w"));
        randomConv(m, r, "fuse", "w", "f", 25, 3, 3, 3, true, Tag.FP32).put(4, 1);
        randomConv(m, r, "fuse2", "v2", "g", 14, 3, 1, 1, true, Tag.FP32);
        m.layer("BinaryOp", "add", List.of("f", "g"), List.of("output")).put(0, 0);
        check(m, random(r, 3, 9, 8, -1, 1));
    }

    @Test
    void splitFeedingTwoBranchesLikeSrvgg() {
        Random r = new Random(400);
        NcnnModelWriter m = tinySrvgg(r);
        check(m, random(r, 3, 11, 9, 0, 1));
    }

    private static double tolerance(Precision precision) {
        return precision == Precision.FP16 ? FP16_TOLERANCE : TOLERANCE;
    }

    @ParameterizedTest(name = "{0} storage")
    @ValueSource(strings = {"FP32", "FP16"})
    void oneModelRunsManyShapesInTurn(Precision precision) {
        // plans per shape share the blob buffers, which grow: later (and earlier) shapes must still be right
        Random r = new Random(99);
        NcnnModelWriter m = denseBlock(r, 8, 4);
        ModelFiles files = m.write(dir, "shapes-" + precision);
        try (Upscaler cpu = Upscaler.open(files, UpscaleOptions.defaults()); Upscaler gpu = Upscaler.open(files, VulkanTesting.gpu(precision))) {
            for (int[] size : new int[][] {{16, 24}, {11, 13}, {24, 16}, {1, 1}, {40, 33}, {16, 24}, {5, 3}, {11, 13}, {40, 33}}) {
                Activation in = random(r, 3, size[0], size[1], -1, 1);
                assertClose(cpu.forward(in), gpu.forward(in), tolerance(precision), size[0] + "x" + size[1]);
            }
        }
    }

    @Test
    void twoModelsShareTheDevice() {
        // and two precisions: the device enables 16-bit storage for every model, each picks its shaders
        Random r = new Random(98);
        NcnnModelWriter a = denseBlock(r, 8, 4), b = eltwiseModel(r, 1, new double[] {0.5, 2}, 2);
        ModelFiles fa = a.write(dir, "share-a"), fb = b.write(dir, "share-b");
        try (Upscaler ga = Upscaler.open(fa, VulkanTesting.gpu()); Upscaler gb = Upscaler.open(fb, VulkanTesting.gpu(Precision.FP16));
             Upscaler ca = Upscaler.open(fa, UpscaleOptions.defaults()); Upscaler cb = Upscaler.open(fb, UpscaleOptions.defaults())) {
            Activation in = random(r, 3, 10, 9, -1, 1);
            for (int i = 0; i < 2; i++) {
                assertClose(ca.forward(in), ga.forward(in), TOLERANCE, "a");
                assertClose(cb.forward(in), gb.forward(in), FP16_TOLERANCE, "b");
            }
            assertEquals(3, ga.forward(in).channels());
        }
    }
}
