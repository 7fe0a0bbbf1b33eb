package dev.modelcompose.upscale;

import static dev.modelcompose.testing.OpModels.binaryModel;
import static dev.modelcompose.testing.OpModels.eltwiseModel;
import static dev.modelcompose.testing.OpModels.random;
import static dev.modelcompose.testing.OpModels.randomConv;
import static dev.modelcompose.testing.OpModels.tinySrvgg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.testing.NcnnModelWriter;
import dev.modelcompose.testing.OpModels;
import dev.modelcompose.testing.NcnnModelWriter.Layer;
import dev.modelcompose.testing.NcnnModelWriter.Tag;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every op of the runner on small random models built here, run through the real native runner
 * ({@link Upscaler#open} + {@link Upscaler#forward}) and compared with {@link ReferenceOps}.
 *
 * <p>The runner only loads models whose output is an integer upscale of the input, so ops that change
 * the size (strided convolutions, downscaling Interp, Reorg) are followed or preceded by a PixelShuffle
 * that restores an integer scale, and fixed-size Interp outputs are tested as (c,1,1) broadcast operands.
 */
class OpReferenceTest {
    private static final double TOLERANCE = 1e-4;
    private static final AtomicInteger MODELS = new AtomicInteger();

    @TempDir
    static Path dir;

    // ---- helpers ---------------------------------------------------------------------------------

    static Activation check(NcnnModelWriter model, Activation input) {
        return check(model, input, TOLERANCE);
    }

    static Activation check(NcnnModelWriter model, Activation input, double tolerance) {
        Activation expected = ReferenceOps.forward(model, input);
        Activation actual = runNative(model, input);
        assertClose(expected, actual, tolerance, model);
        return actual;
    }

    static Activation runNative(NcnnModelWriter model, Activation input) {
        ModelFiles files = model.write(dir, "op" + MODELS.incrementAndGet());
        try (Upscaler u = Upscaler.open(files, UpscaleOptions.defaults())) {
            return u.forward(input);
        }
    }

    static void assertClose(Activation expected, Activation actual, double tol, Object context) {
        OpModels.assertClose(expected, actual, tol, false, "expected", "got", "model:\n" + context);
    }

    // ---- Convolution -------------------------------------------------------------------------------

    /** One convolution geometry: params on top of num_output / kernel / weight_data_size, and the stride to undo. */
    record ConvCase(String label, int in, int out, int kw, int kh, boolean bias, Tag tag, int stride, Consumer<Layer> params) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<ConvCase> convCases() {
        return Stream.of(
                new ConvCase("1x1 no pad, bias, fp32", 3, 5, 1, 1, true, Tag.FP32, 1, l -> {}),
                new ConvCase("3x3 pad 1, no bias, fp16", 3, 4, 3, 3, false, Tag.FP16, 1, l -> l.put(4, 1)),
                new ConvCase("5x5 pad 2, bias, fp32", 3, 6, 5, 5, true, Tag.FP32, 1, l -> l.put(4, 2)),
                new ConvCase("3x3 pad 1, fp32 'scaled' tag 0x0002C056", 3, 3, 3, 3, true, Tag.FP32_SCALED, 1, l -> l.put(4, 1)),
                new ConvCase("2x2 asymmetric pad right/bottom", 3, 4, 2, 2, true, Tag.FP32, 1, l -> l.put(4, 0).put(15, 1).put(14, 0).put(16, 1)),
                new ConvCase("3x3 asymmetric pads l0 r2 t2 b0", 3, 4, 3, 3, true, Tag.FP16, 1,
                        l -> l.put(4, 0).put(15, 2).put(14, 2).put(16, 0)),
                new ConvCase("3x3 dilation 2, pad 2", 3, 4, 3, 3, true, Tag.FP32, 1, l -> l.put(2, 2).put(4, 2)),
                new ConvCase("3x3 dilation w2 h1, pads w2 h1", 3, 4, 3, 3, true, Tag.FP32, 1, l -> l.put(2, 2).put(12, 1).put(4, 2).put(14, 1)),
                new ConvCase("5x5 dilation 2, asymmetric pads l3 r5 t5 b3", 3, 2, 5, 5, true, Tag.FP16, 1,
                        l -> l.put(2, 2).put(4, 3).put(15, 5).put(14, 5).put(16, 3)),
                new ConvCase("kernel w3 h1 (non-square), pad w1 h0", 3, 4, 3, 1, true, Tag.FP32, 1, l -> l.put(4, 1).put(14, 0)),
                new ConvCase("kernel w1 h5 (non-square), pad w0 h2", 3, 4, 1, 5, true, Tag.FP32, 1, l -> l.put(4, 0).put(14, 2)),
                new ConvCase("stride 2, 3x3 pad 1", 3, 12, 3, 3, true, Tag.FP32, 2, l -> l.put(3, 2).put(4, 1)),
                new ConvCase("stride 2, 4x4 pad 1", 3, 12, 4, 4, true, Tag.FP16, 2, l -> l.put(3, 2).put(4, 1)),
                new ConvCase("stride w2 h2 given separately, 1x1", 3, 12, 1, 1, false, Tag.FP32, 2, l -> l.put(3, 2).put(13, 2)),
                new ConvCase("stride 2, 2x2 no pad", 3, 12, 2, 2, true, Tag.FP32, 2, l -> l.put(3, 2)),
                new ConvCase("SAME_UPPER (-233) 4x4 stride 1", 3, 4, 4, 4, true, Tag.FP32, 1, l -> l.put(4, -233)),
                new ConvCase("SAME_LOWER (-234) 4x4 stride 1", 3, 4, 4, 4, true, Tag.FP32, 1, l -> l.put(4, -234)),
                new ConvCase("SAME_UPPER 3x3 stride 2", 3, 12, 3, 3, true, Tag.FP32, 2, l -> l.put(3, 2).put(4, -233)),
                new ConvCase("SAME_LOWER 3x3 stride 2", 3, 12, 3, 3, true, Tag.FP32, 2, l -> l.put(3, 2).put(4, -234)),
                new ConvCase("SAME_UPPER 3x3 dilation 2", 3, 4, 3, 3, true, Tag.FP32, 1, l -> l.put(2, 2).put(4, -233)),
                new ConvCase("pad_value 0.5, 3x3 pad 1", 3, 4, 3, 3, true, Tag.FP32, 1, l -> l.put(4, 1).put(18, 0.5)),
                new ConvCase("pad_value -1.25 with SAME_LOWER 4x4", 3, 4, 4, 4, false, Tag.FP16, 1, l -> l.put(4, -234).put(18, -1.25)),
                new ConvCase("pad_value 2.0 with asymmetric pads and stride 2", 3, 12, 3, 3, true, Tag.FP32, 2,
                        l -> l.put(3, 2).put(4, 0).put(15, 1).put(14, 1).put(16, 0).put(18, 2.0)),
                new ConvCase("pad_value 0.75 with dilation 2", 3, 4, 3, 3, true, Tag.FP32, 1, l -> l.put(2, 2).put(4, 2).put(18, 0.75)),
                new ConvCase("3 -> 19 channels (not a multiple of 8)", 3, 19, 3, 3, true, Tag.FP16, 1, l -> l.put(4, 1)),
                new ConvCase("int params written as floats (0=4.0 1=3.0 4=1.0 6=108.0)", 3, 4, 3, 3, true, Tag.FP32, 1,
                        l -> l.put(0, 4.0).put(1, 3.0).put(4, 1.0).put(6, 108.0)),
                new ConvCase("int-valued float param: pad_value written as int 1", 3, 4, 3, 3, true, Tag.FP32, 1, l -> l.put(4, 1).put(18, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convCases")
    void convolutionMatchesReference(ConvCase c) {
        Random r = new Random(c.label().hashCode());
        for (int[] size : new int[][] {{16, 24}, {11, 13}}) {
            NcnnModelWriter m = new NcnnModelWriter();
            m.input("data");
            Layer conv = randomConv(m, r, "conv", "data", c.stride() == 1 ? "output" : "conv_out", c.in(), c.out(), c.kw(), c.kh(), c.bias(),
                    c.tag());
            c.params().accept(conv);
            if (c.stride() > 1) m.layer("PixelShuffle", "ps", "conv_out", "output").put(0, c.stride());
            check(m, random(r, c.in(), size[0], size[1], -1, 1));
        }
    }

    @Test
    void oneModelRunsSeveralInputSizesInTurn() {
        // per-size compiled convolutions must not leak between sizes
        Random r = new Random(99);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        randomConv(m, r, "c1", "data", "a", 3, 8, 3, 3, true, Tag.FP16).put(4, 1).put(18, 0.5).put(9, 2).putArray(10, 0.1);
        randomConv(m, r, "c2", "a", "b", 8, 12, 3, 3, true, Tag.FP32).put(3, 2).put(4, 1);
        m.layer("PixelShuffle", "ps", "b", "output").put(0, 2);
        ModelFiles files = m.write(dir, "sizes");
        try (Upscaler u = Upscaler.open(files, UpscaleOptions.defaults())) {
            for (int[] size : new int[][] {{16, 24}, {11, 13}, {16, 24}, {1, 1}, {5, 3}, {11, 13}, {40, 33}}) {
                Activation in = random(r, 3, size[0], size[1], -1, 1);
                assertClose(ReferenceOps.forward(m, in), u.forward(in), TOLERANCE, size[0] + "x" + size[1] + "\n" + m);
            }
        }
    }

    static Stream<Arguments> winogradShapes() {
        // 3x3 / stride 1 / pad 1 with inC % 8 == 0 and outC % 16 == 0: the shapes a Winograd fast path takes
        // (MC_CONV=winograd / winograd2 forces it for every such layer; the default takes it from 16 input channels)
        return Stream.of(Arguments.of(16, 16, 0, 0.0, true), Arguments.of(16, 32, 1, 0.0, false), Arguments.of(24, 16, 2, 0.2, true),
                Arguments.of(64, 48, 0, 0.0, true), Arguments.of(64, 64, 2, 0.2, true), Arguments.of(32, 64, 2, -0.3, false),
                Arguments.of(8, 16, 2, 0.2, true), Arguments.of(64, 16, 3, 0.0, true), Arguments.of(192, 64, 0, 0.0, true));
    }

    @ParameterizedTest(name = "{0} -> {1}, activation {2} ({3}), bias {4}")
    @MethodSource("winogradShapes")
    void threeByThreeConvolutionsWithManyChannels(int in, int out, int act, double slope, boolean bias) {
        Random r = new Random(in * 1000 + out * 10 + act);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data", in);
        Layer conv = randomConv(m, r, "conv", "data", "output", in, out, 3, 3, bias, Tag.FP16).put(4, 1).put(9, act);
        if (act == 2) conv.putArray(10, slope);
        if (act == 3) conv.putArray(10, -0.25, 0.25);
        ModelFiles files = m.write(dir, "wg" + MODELS.incrementAndGet());
        try (Upscaler u = Upscaler.open(files, UpscaleOptions.defaults())) {
            // sizes around the 4x4 / 2x2 output tiles, degenerate rows and columns, and one larger block
            for (int[] size : new int[][] {{1, 1}, {1, 7}, {6, 1}, {3, 3}, {4, 4}, {5, 9}, {8, 8}, {13, 17}, {33, 40}}) {
                Activation x = random(r, in, size[0], size[1], -1, 1);
                assertClose(ReferenceOps.forward(m, x), u.forward(x), TOLERANCE, size[0] + "x" + size[1] + "\n" + m);
            }
        }
    }

    @Test
    void convolutionWith64ChannelsLikeTheRealModels() {
        Random r = new Random(64);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data", 64);
        randomConv(m, r, "conv1", "data", "c1", 64, 64, 3, 3, true, Tag.FP16).put(4, 1).put(9, 2).putArray(10, 0.2);
        randomConv(m, r, "conv2", "c1", "output", 64, 32, 3, 3, true, Tag.FP16).put(4, 1);
        check(m, random(r, 64, 12, 10, -1, 1));
    }

    @Test
    void chainedConvolutionsWithOddChannelCounts() {
        Random r = new Random(7);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        randomConv(m, r, "c1", "data", "a", 3, 19, 3, 3, true, Tag.FP16).put(4, 1).put(9, 1);
        randomConv(m, r, "c2", "a", "b", 19, 5, 1, 1, false, Tag.FP32);
        randomConv(m, r, "c3", "b", "output", 5, 3, 3, 3, true, Tag.FP32).put(4, 1);
        check(m, random(r, 3, 17, 9, -1, 1));
    }

    static Stream<Arguments> activations() {
        return Stream.of(
                Arguments.of(0, new double[0]),
                Arguments.of(1, new double[0]),
                Arguments.of(2, new double[] {0.2}),
                Arguments.of(2, new double[] {-0.5}),
                Arguments.of(3, new double[] {-0.5, 0.75}),
                Arguments.of(4, new double[0]),
                Arguments.of(5, new double[0]),
                Arguments.of(6, new double[] {0.2, 0.5}),
                Arguments.of(6, new double[] {1.0 / 6, 0.5}));
    }

    @ParameterizedTest(name = "activation_type {0}, params {1}")
    @MethodSource("activations")
    void fusedActivationMatchesReference(int type, double[] params) {
        Random r = new Random(100 + type);
        for (boolean bias : new boolean[] {true, false}) {
            NcnnModelWriter m = new NcnnModelWriter();
            m.input("data");
            Layer conv = randomConv(m, r, "conv", "data", "output", 3, 6, 3, 3, bias, Tag.FP32).put(4, 1).put(9, type);
            if (params.length > 0) conv.putArray(10, params);
            // inputs in [-3, 3] push the pre-activation over every branch of every activation
            check(m, random(r, 3, 12, 14, -3, 3));
        }
    }

    // ---- Eltwise / BinaryOp / PReLU ----------------------------------------------------------------

    @Test
    void eltwiseProdOfThreeInputs() {
        Random r = new Random(1);
        check(eltwiseModel(r, 0, null, 3), random(r, 3, 9, 11, -2, 2));
    }

    @Test
    void eltwiseSumWithoutCoefficients() {
        Random r = new Random(2);
        check(eltwiseModel(r, 1, null, 3), random(r, 3, 9, 11, -2, 2));
    }

    @Test
    void eltwiseSumWithCoefficients() {
        Random r = new Random(3);
        check(eltwiseModel(r, 1, new double[] {0.2, -1.5, 3.0}, 3), random(r, 3, 9, 11, -2, 2));
        check(eltwiseModel(r, 1, new double[] {0.2, 1.0}, 2), random(r, 3, 8, 8, -2, 2)); // the RRDB residual
    }

    @Test
    void eltwiseMaxOfThreeInputs() {
        Random r = new Random(4);
        check(eltwiseModel(r, 2, null, 3), random(r, 3, 9, 11, -2, 2));
    }

    @ParameterizedTest(name = "op_type {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
    void binaryOpSameShape(int op) {
        Random r = new Random(10 + op);
        check(binaryModel(r, op), random(r, 3, 10, 7, 0.1, 2.0));
    }

    @ParameterizedTest(name = "op_type {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
    void binaryOpWithScalar(int op) {
        Random r = new Random(30 + op);
        for (double b : new double[] {1.5, -0.75}) {
            if (b < 0 && op == 9) continue; // RPOW: a negative base to a fractional power is NaN
            NcnnModelWriter m = new NcnnModelWriter();
            m.input("data");
            m.layer("BinaryOp", "binary", "data", "output").put(0, op).put(1, 1).put(2, b);
            check(m, random(r, 3, 10, 7, 0.1, 2.0));
        }
    }

    /** data -> Split; one branch resized to a (c,1,1) blob by an Interp with explicit output size; BinaryOp broadcasts it. */
    static NcnnModelWriter broadcastModel(int op, int resizeType, boolean vectorFirst) {
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.split("split", "data", "a", "s");
        m.layer("Interp", "pool", "s", "v").put(0, resizeType).put(3, 1).put(4, 1);
        List<String> bottoms = vectorFirst ? List.of("v", "a") : List.of("a", "v");
        m.layer("BinaryOp", "binary", bottoms, List.of("output")).put(0, op);
        return m;
    }

    @ParameterizedTest(name = "op_type {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8})
    void binaryOpPerChannelBroadcast(int op) {
        Random r = new Random(50 + op);
        check(broadcastModel(op, 2, false), random(r, 3, 8, 11, 0.1, 2.0));
        check(broadcastModel(op, 2, true), random(r, 3, 8, 11, 0.1, 2.0));
    }

    @Test
    void preluPerChannel() {
        Random r = new Random(5);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        randomConv(m, r, "conv", "data", "c", 3, 5, 3, 3, true, Tag.FP16).put(4, 1);
        m.layer("PReLU", "prelu", "c", "output").put(0, 5).untagged(new float[] {0.25f, -0.5f, 0f, 1.5f, 0.01f});
        check(m, random(r, 3, 9, 10, -1, 1));
    }

    @Test
    void preluSharedSlope() {
        Random r = new Random(6);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.layer("PReLU", "prelu", "data", "output").put(0, 1).untagged(new float[] {0.3f});
        check(m, random(r, 3, 9, 10, -1, 1));
    }

    // ---- Interp ------------------------------------------------------------------------------------

    static Stream<Arguments> interpUpscales() {
        // resize_type, height_scale, width_scale written as floats
        return Stream.of(Arguments.of(1, 2.0), Arguments.of(1, 3.0), Arguments.of(1, 4.0), Arguments.of(2, 2.0), Arguments.of(2, 3.0),
                Arguments.of(2, 4.0), Arguments.of(3, 2.0), Arguments.of(3, 3.0), Arguments.of(3, 4.0));
    }

    @ParameterizedTest(name = "resize_type {0}, scale {1}")
    @MethodSource("interpUpscales")
    void interpUpscale(int type, double scale) {
        Random r = new Random(type * 10 + (int) scale);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.layer("Interp", "resize", "data", "output").put(0, type).put(1, scale).put(2, scale);
        check(m, random(r, 3, 7, 9, -1, 1));
    }

    @ParameterizedTest(name = "resize_type {0}")
    @ValueSource(ints = {1, 2, 3})
    void interpScaleWrittenAsInt(int type) {
        // "1=2 2=2": ints where floats are expected must be coerced, not reinterpreted
        Random r = new Random(70 + type);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.layer("Interp", "resize", "data", "output").put(0, type).put(1, 2).put(2, 2);
        check(m, random(r, 3, 6, 5, -1, 1));
    }

    static Stream<Arguments> interpDownscales() {
        // resize_type, pre-upscale by PixelShuffle r, then Interp scale s (r*s is the model scale)
        return Stream.of(Arguments.of(1, 2, 0.5), Arguments.of(2, 2, 0.5), Arguments.of(3, 2, 0.5), Arguments.of(3, 4, 0.5),
                Arguments.of(1, 4, 0.75), Arguments.of(2, 4, 0.75), Arguments.of(3, 4, 0.75), Arguments.of(3, 4, 0.25),
                Arguments.of(1, 2, 1.5), Arguments.of(2, 2, 1.5), Arguments.of(3, 2, 1.5));
    }

    @ParameterizedTest(name = "resize_type {0}, PixelShuffle {1} then scale {2}")
    @MethodSource("interpDownscales")
    void interpDownscaleAndFractionalScale(int type, int shuffle, double scale) {
        Random r = new Random(type * 100 + shuffle * 10 + (int) (scale * 4));
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data", 3 * shuffle * shuffle);
        m.layer("PixelShuffle", "ps", "data", "big").put(0, shuffle);
        m.layer("Interp", "resize", "big", "output").put(0, type).put(1, scale).put(2, scale);
        check(m, random(r, 3 * shuffle * shuffle, 8, 6, -1, 1));
        check(m, random(r, 3 * shuffle * shuffle, 5, 7, -1, 1));
        try (Upscaler u = Upscaler.open(m.write(dir, "scale" + MODELS.incrementAndGet()), UpscaleOptions.defaults())) {
            assertEquals((int) Math.round(shuffle * scale), u.scale(), "scale inferred from the graph");
        }
    }

    @Test
    void interpBilinearAlignCorner() {
        Random r = new Random(80);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.layer("Interp", "resize", "data", "output").put(0, 2).put(1, 3.0).put(2, 3.0).put(6, 1);
        check(m, random(r, 3, 5, 7, -1, 1));
    }

    @ParameterizedTest(name = "resize_type {0}")
    @ValueSource(ints = {1, 2, 3})
    void interpExplicitOutputSize(int type) {
        // A fixed output size can only be part of an upscaler as a broadcast (c,1,1) operand.
        Random r = new Random(90 + type);
        for (int[] size : new int[][] {{8, 11}, {7, 4}, {1, 1}}) {
            check(broadcastModel(0, type, false), random(r, 3, size[0], size[1], -1, 1));
            check(broadcastModel(1, type, true), random(r, 3, size[0], size[1], -1, 1));
        }
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

    @Test
    void pixelShuffleModesDiffer() {
        // guards the test itself: the two modes must not be the same permutation on this input
        Random r = new Random(11);
        Activation in = random(r, 12, 3, 3, -1, 1);
        assertTrue(!java.util.Arrays.equals(ReferenceOps.pixelShuffle(in, 2, 0).data(), ReferenceOps.pixelShuffle(in, 2, 1).data()));
    }

    @ParameterizedTest(name = "stride {0}")
    @ValueSource(ints = {2, 3})
    void reorgThenMixingConvThenPixelShuffle(int s) {
        Random r = new Random(200 + s);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.layer("Reorg", "reorg", "data", "small").put(0, s);
        randomConv(m, r, "mix", "small", "mixed", 3 * s * s, 3 * s * s, 1, 1, true, Tag.FP32);
        m.layer("PixelShuffle", "ps", "mixed", "output").put(0, s);
        check(m, random(r, 3, 4 * s, 5 * s, -1, 1));
    }

    @Test
    void reorgThenPixelShuffleDcrIsAPermutation() {
        Random r = new Random(210);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.layer("Reorg", "reorg", "data", "small").put(0, 2);
        m.layer("PixelShuffle", "ps", "small", "output").put(0, 2).put(1, 1);
        check(m, random(r, 3, 8, 6, -1, 1));
    }

    @Test
    void concatOfChannelCountsNotMultiplesOf8() {
        Random r = new Random(300);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.split("split", "data", "x0", "x1", "x2");
        randomConv(m, r, "c5", "x1", "five", 3, 5, 3, 3, true, Tag.FP16).put(4, 1);
        randomConv(m, r, "c7", "x2", "seven", 3, 7, 1, 1, true, Tag.FP32);
        m.layer("Concat", "cat", List.of("x0", "five", "seven"), List.of("output")).put(0, 0);
        Activation out = check(m, random(r, 3, 9, 13, -1, 1));
        assertEquals(15, out.channels());
    }

    @Test
    void concatKeepsTheListedOrderAndFeedsAConv() {
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

    @Test
    void splitFeedingTwoBranches() {
        // a tiny SRVGGNetCompact: the structure of realesr-animevideov3 with 8 features and x2
        Random r = new Random(400);
        NcnnModelWriter m = tinySrvgg(r);
        check(m, random(r, 3, 11, 9, 0, 1));
        try (Upscaler u = Upscaler.open(m.write(dir, "srvgg-mini"), UpscaleOptions.defaults())) {
            assertEquals(2, u.scale());
            assertEquals(3, u.inputChannels());
        }
    }

    @Test
    void oneTopReadByTwoLayersWithoutSplit() {
        // one Split top read by two layers as well: blob lifetimes must not free it early
        Random r = new Random(401);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.split("split", "data", "a", "b");
        randomConv(m, r, "ca", "a", "ya", 3, 3, 3, 3, true, Tag.FP32).put(4, 1);
        m.layer("BinaryOp", "mul", List.of("ya", "b"), List.of("t")).put(0, 2);
        m.layer("Eltwise", "sum", List.of("t", "b"), List.of("output")).put(0, 1).putArray(1, 0.5, 2.0);
        check(m, random(r, 3, 7, 8, -1, 1));
    }

    // ---- fp16 weights ------------------------------------------------------------------------------

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
    void denseBlockConcatChainsFeedConvolutionsAndOtherLayers() {
        // [x, a], [x, a, b], [x, a, b, c]: the runner shares one buffer along such a chain and hands
        // out channel-prefix views; convolutions read them in place, other layers get copies.
        Random r = new Random(77);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        randomConv(m, r, "c0", "data", "x", 3, 16, 3, 3, true, Tag.FP32).put(4, 1);
        m.split("sx", "x", "x1", "x2", "x3", "x4");
        randomConv(m, r, "ca", "x1", "a", 16, 8, 3, 3, true, Tag.FP32).put(4, 1).put(9, 2).putArray(10, 0.2);
        m.split("sa", "a", "a1", "a2", "a3");
        m.layer("Concat", "cat1", List.of("x2", "a1"), List.of("xa"));
        m.split("sxa", "xa", "xa1", "xa2");
        randomConv(m, r, "cb", "xa1", "b", 24, 8, 3, 3, true, Tag.FP32).put(4, 1);
        m.layer("PReLU", "pr", "xa2", "xap").put(0, 24).untagged(random(r, 24, 0, 0.5));
        m.split("sb", "b", "b1", "b2");
        m.layer("Concat", "cat2", List.of("x3", "a2", "b1"), List.of("xab"));
        randomConv(m, r, "cc", "xab", "c", 32, 8, 3, 3, true, Tag.FP32).put(4, 1);
        m.layer("Concat", "cat3", List.of("x4", "a3", "b2", "c"), List.of("xabc"));
        randomConv(m, r, "cd", "xabc", "d", 40, 24, 3, 3, true, Tag.FP32).put(4, 1);
        m.layer("Eltwise", "sum", List.of("d", "xap"), List.of("output")).put(0, 1);
        check(m, random(r, 3, 13, 11, -1, 1));
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
