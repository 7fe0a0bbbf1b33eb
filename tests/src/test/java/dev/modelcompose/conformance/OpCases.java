package dev.modelcompose.conformance;

import static dev.modelcompose.testing.OpModels.binaryModel;
import static dev.modelcompose.testing.OpModels.eltwiseModel;
import static dev.modelcompose.testing.OpModels.random;
import static dev.modelcompose.testing.OpModels.randomConv;
import static dev.modelcompose.testing.OpModels.tinySrvgg;

import dev.modelcompose.testing.NcnnModelWriter;
import dev.modelcompose.testing.NcnnModelWriter.Layer;
import dev.modelcompose.testing.NcnnModelWriter.Tag;
import dev.modelcompose.upscale.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The op conformance table: one row per case, a small model built here and its inputs. Every backend runs every row
 * and is compared with the reference. The runner only loads models whose output is an integer upscale of the input,
 * so ops that change the size (strided convolutions, downscaling Interp, Reorg) are wrapped by a PixelShuffle or Reorg
 * that restores an integer scale, and fixed-size Interp outputs are tested as (c,1,1) broadcast operands.
 *
 * <p>Adding an op: its reference in {@code testing/ReferenceOps}, then rows here.
 */
final class OpCases {
    /**
     * @param magnitude the inputs' magnitude (fp16 storage errs relative to it)
     */
    record OpCase(String name, NcnnModelWriter model, List<Activation> inputs, double magnitude) {
        @Override
        public String toString() {
            return name;
        }
    }

    private OpCases() {}

    static List<OpCase> all() {
        List<OpCase> cases = new ArrayList<>();
        convolutions(cases);
        threeByThree(cases);
        activations(cases);
        deconvolutions(cases);
        elementwise(cases);
        interp(cases);
        structural(cases);
        return cases;
    }

    private static OpCase of(String name, NcnnModelWriter model, double magnitude, Activation... inputs) {
        return new OpCase(name, model, List.of(inputs), magnitude);
    }

    // ---- Convolution -------------------------------------------------------------------------------

    private record Conv(String label, int in, int out, int kw, int kh, boolean bias, Tag tag, int stride, Consumer<Layer> params) {}

    private static void convolutions(List<OpCase> cases) {
        List<Conv> geometries = List.of(
                new Conv("1x1 no pad, bias, fp32", 3, 5, 1, 1, true, Tag.FP32, 1, l -> {}),
                new Conv("3x3 pad 1, no bias, fp16", 3, 4, 3, 3, false, Tag.FP16, 1, l -> l.put(4, 1)),
                new Conv("5x5 pad 2, bias", 3, 6, 5, 5, true, Tag.FP32, 1, l -> l.put(4, 2)),
                new Conv("3x3 pad 1, fp32 'scaled' tag 0x0002C056", 3, 3, 3, 3, true, Tag.FP32_SCALED, 1, l -> l.put(4, 1)),
                new Conv("2x2 asymmetric pad right/bottom", 3, 4, 2, 2, true, Tag.FP32, 1, l -> l.put(4, 0).put(15, 1).put(14, 0).put(16, 1)),
                new Conv("3x3 asymmetric pads l0 r2 t2 b0", 3, 4, 3, 3, true, Tag.FP16, 1, l -> l.put(4, 0).put(15, 2).put(14, 2).put(16, 0)),
                new Conv("3x3 dilation 2, pad 2", 3, 4, 3, 3, true, Tag.FP32, 1, l -> l.put(2, 2).put(4, 2)),
                new Conv("3x3 dilation w2 h1, pads w2 h1", 3, 4, 3, 3, true, Tag.FP32, 1, l -> l.put(2, 2).put(12, 1).put(4, 2).put(14, 1)),
                new Conv("5x5 dilation 2, asymmetric pads l3 r5 t5 b3", 3, 2, 5, 5, true, Tag.FP16, 1,
                        l -> l.put(2, 2).put(4, 3).put(15, 5).put(14, 5).put(16, 3)),
                new Conv("kernel w3 h1 (non-square), pad w1 h0", 3, 4, 3, 1, true, Tag.FP32, 1, l -> l.put(4, 1).put(14, 0)),
                new Conv("kernel w1 h5 (non-square), pad w0 h2", 3, 4, 1, 5, true, Tag.FP32, 1, l -> l.put(4, 0).put(14, 2)),
                new Conv("stride 2, 3x3 pad 1", 3, 12, 3, 3, true, Tag.FP32, 2, l -> l.put(3, 2).put(4, 1)),
                new Conv("stride 2, 4x4 pad 1", 3, 12, 4, 4, true, Tag.FP16, 2, l -> l.put(3, 2).put(4, 1)),
                new Conv("stride w2 h2 given separately, 1x1", 3, 12, 1, 1, false, Tag.FP32, 2, l -> l.put(3, 2).put(13, 2)),
                new Conv("stride 2, 2x2 no pad", 3, 12, 2, 2, true, Tag.FP32, 2, l -> l.put(3, 2)),
                new Conv("SAME_UPPER (-233) 4x4 stride 1", 3, 4, 4, 4, true, Tag.FP32, 1, l -> l.put(4, -233)),
                new Conv("SAME_LOWER (-234) 4x4 stride 1", 3, 4, 4, 4, true, Tag.FP32, 1, l -> l.put(4, -234)),
                new Conv("SAME_UPPER 3x3 stride 2", 3, 12, 3, 3, true, Tag.FP32, 2, l -> l.put(3, 2).put(4, -233)),
                new Conv("SAME_LOWER 3x3 stride 2", 3, 12, 3, 3, true, Tag.FP32, 2, l -> l.put(3, 2).put(4, -234)),
                new Conv("SAME_UPPER 3x3 dilation 2", 3, 4, 3, 3, true, Tag.FP32, 1, l -> l.put(2, 2).put(4, -233)),
                new Conv("pad_value 0.5, 3x3 pad 1", 3, 4, 3, 3, true, Tag.FP32, 1, l -> l.put(4, 1).put(18, 0.5)),
                new Conv("pad_value -1.25 with SAME_LOWER 4x4", 3, 4, 4, 4, false, Tag.FP16, 1, l -> l.put(4, -234).put(18, -1.25)),
                new Conv("pad_value 2.0 with asymmetric pads and stride 2", 3, 12, 3, 3, true, Tag.FP32, 2,
                        l -> l.put(3, 2).put(4, 0).put(15, 1).put(14, 1).put(16, 0).put(18, 2.0)),
                new Conv("pad_value 0.75 with dilation 2", 3, 4, 3, 3, true, Tag.FP32, 1, l -> l.put(2, 2).put(4, 2).put(18, 0.75)),
                new Conv("3 -> 12 channels", 3, 12, 3, 3, true, Tag.FP16, 1, l -> l.put(4, 1)),
                new Conv("3 -> 19 channels (not a multiple of 8)", 3, 19, 3, 3, true, Tag.FP16, 1, l -> l.put(4, 1)),
                new Conv("5 -> 29 channels", 5, 29, 3, 3, true, Tag.FP16, 1, l -> l.put(4, 1)),
                new Conv("19 -> 5 channels, 1x1", 19, 5, 1, 1, true, Tag.FP32, 1, l -> {}),
                new Conv("int params written as floats (0=4.0 1=3.0 4=1.0 6=108.0)", 3, 4, 3, 3, true, Tag.FP32, 1,
                        l -> l.put(0, 4.0).put(1, 3.0).put(4, 1.0).put(6, 108.0)),
                new Conv("int-valued float param: pad_value written as int 1", 3, 4, 3, 3, true, Tag.FP32, 1, l -> l.put(4, 1).put(18, 1)));
        for (Conv c : geometries) {
            Random r = new Random(c.label().hashCode());
            NcnnModelWriter m = new NcnnModelWriter();
            m.input("data", c.in());
            Layer conv = randomConv(m, r, "conv", "data", c.stride() == 1 ? "output" : "conv_out", c.in(), c.out(), c.kw(), c.kh(), c.bias(), c.tag());
            c.params().accept(conv);
            if (c.stride() > 1) m.layer("PixelShuffle", "ps", "conv_out", "output").put(0, c.stride());
            cases.add(of("Convolution " + c.label(), m, 1, random(r, c.in(), 16, 24, -1, 1), random(r, c.in(), 11, 13, -1, 1)));
        }
        Random r = new Random(7);
        NcnnModelWriter chained = new NcnnModelWriter();
        chained.input("data");
        randomConv(chained, r, "c1", "data", "a", 3, 19, 3, 3, true, Tag.FP16).put(4, 1).put(9, 1);
        randomConv(chained, r, "c2", "a", "b", 19, 5, 1, 1, false, Tag.FP32);
        randomConv(chained, r, "c3", "b", "output", 5, 3, 3, 3, true, Tag.FP32).put(4, 1);
        cases.add(of("Convolution chain with odd channel counts", chained, 1, random(r, 3, 17, 9, -1, 1)));
    }

    /** 3x3 / stride 1 / pad 1: the shapes of the fast kernels (Winograd on the CPU, conv3x3 shaders), at sizes around their tiles. */
    private static void threeByThree(List<OpCase> cases) {
        int[][] shapes = {{16, 16, 0}, {16, 32, 1}, {24, 16, 2}, {64, 48, 0}, {64, 64, 2}, {32, 64, 2}, {8, 16, 2}, {8, 20, 1}, {64, 16, 3},
                {192, 64, 0}, {96, 32, 2}, {3, 64, 2}, {64, 3, 0}};
        for (int[] s : shapes) {
            int in = s[0], out = s[1], act = s[2];
            Random r = new Random(in * 1000 + out * 10 + act);
            NcnnModelWriter m = new NcnnModelWriter();
            m.input("data", in);
            Layer conv = randomConv(m, r, "conv", "data", "output", in, out, 3, 3, true, Tag.FP16).put(4, 1).put(9, act);
            if (act == 2) conv.putArray(10, 0.2);
            if (act == 3) conv.putArray(10, -0.25, 0.25);
            List<Activation> inputs = new ArrayList<>();
            // degenerate rows and columns, sizes around 2x2 / 4x4 / 6x6 tiles and 8-pixel invocations, one larger block
            for (int[] size : new int[][] {{1, 1}, {1, 7}, {6, 1}, {5, 9}, {8, 8}, {13, 17}, {33, 40}, {9, 70}})
                inputs.add(random(r, in, size[0], size[1], -1, 1));
            cases.add(new OpCase("Convolution 3x3 " + in + " -> " + out + ", activation " + act, m, inputs, 1));
        }
    }

    private static void activations(List<OpCase> cases) {
        double[][] params = {{}, {}, {0.2}, {-0.5}, {-0.5, 0.75}, {}, {}, {0.2, 0.5}, {1.0 / 6, 0.5}, {}, {}};
        int[] types = {0, 1, 2, 2, 3, 4, 5, 6, 6, 3, 6};
        for (int k = 0; k < types.length; k++) {
            int type = types[k];
            if (params[k].length == 0 && (type == 3 || type == 6)) continue;  // the reference needs the params
            for (int kernel : new int[] {3, 1}) {
                Random r = new Random(100 + type * 7 + k + kernel);
                NcnnModelWriter m = new NcnnModelWriter();
                m.input("data");
                Layer conv = randomConv(m, r, "conv", "data", "output", 3, 6, kernel, kernel, true, Tag.FP32).put(4, kernel / 2).put(9, type);
                if (params[k].length > 0) conv.putArray(10, params[k]);
                String name = "fused activation " + type + " " + java.util.Arrays.toString(params[k]) + ", " + kernel + "x" + kernel;
                // inputs in [-3, 3] and [-30, 30] push pre-activations over every branch of every activation
                cases.add(of(name, m, 3, random(r, 3, 12, 14, -3, 3)));
                cases.add(of(name + ", large inputs", m, 30, random(r, 3, 5, 4, -30, 30)));
            }
        }
    }

    private static void deconvolutions(List<OpCase> cases) {
        record Deconv(String label, int in, int out, int k, int stride, int pad, int outputPad, int act) {}
        for (Deconv d : List.of(new Deconv("4x4 stride 2 pad 1 (a x2 upsampler)", 8, 3, 4, 2, 1, 0, 0),
                new Deconv("3x3 stride 2 pad 1 output_pad 1", 4, 3, 3, 2, 1, 1, 2), new Deconv("2x2 stride 2", 3, 5, 2, 2, 0, 0, 1),
                new Deconv("4x4 stride 3 pad 1 output_pad 1, ReLU", 6, 2, 4, 3, 1, 1, 1))) {
            Random r = new Random(d.label().hashCode());
            NcnnModelWriter m = new NcnnModelWriter();
            m.input("data", d.in());
            Layer l = m.layer("Deconvolution", "deconv", "data", "output").put(0, d.out()).put(1, d.k()).put(3, d.stride()).put(4, d.pad())
                    .put(6, d.out() * d.in() * d.k() * d.k()).put(5, 1);
            if (d.outputPad() > 0) l.put(18, d.outputPad());
            if (d.act() > 0) l.put(9, d.act());
            if (d.act() == 2) l.putArray(10, 0.1);
            l.tagged(Tag.FP32, random(r, d.out() * d.in() * d.k() * d.k(), -0.4, 0.4)).untagged(random(r, d.out(), -0.5, 0.5));
            // k - 2 pad + output_pad = stride: an x(stride) upscaler, as the runner requires
            if (d.k() - 2 * d.pad() + d.outputPad() != d.stride()) throw new IllegalStateException(d.label() + " is no integer upscaler");
            cases.add(of("Deconvolution " + d.label(), m, 1, random(r, d.in(), 1, 1, -1, 1), random(r, d.in(), 2, 3, -1, 1),
                    random(r, d.in(), 5, 5, -1, 1), random(r, d.in(), 8, 6, -1, 1)));
        }
    }

    // ---- Eltwise / BinaryOp / PReLU ----------------------------------------------------------------

    private static void elementwise(List<OpCase> cases) {
        Random r = new Random(1);
        cases.add(of("Eltwise PROD of three inputs", eltwiseModel(r, 0, null, 3), 2, random(r, 3, 9, 11, -2, 2)));
        cases.add(of("Eltwise SUM without coefficients", eltwiseModel(r, 1, null, 3), 2, random(r, 3, 9, 11, -2, 2)));
        cases.add(of("Eltwise SUM with coefficients", eltwiseModel(r, 1, new double[] {0.2, -1.5, 3.0}, 3), 2, random(r, 3, 9, 11, -2, 2)));
        cases.add(of("Eltwise SUM 0.2 x + y (the RRDB residual)", eltwiseModel(r, 1, new double[] {0.2, 1.0}, 2), 2, random(r, 3, 8, 8, -2, 2)));
        cases.add(of("Eltwise SUM of four inputs", eltwiseModel(r, 1, new double[] {0.5, 0.25, -1, 2}, 4), 2, random(r, 3, 7, 5, -2, 2)));
        cases.add(of("Eltwise MAX of three inputs", eltwiseModel(r, 2, null, 3), 2, random(r, 3, 9, 11, -2, 2)));
        for (int op = 0; op <= 11; op++) {
            Random ro = new Random(10 + op);
            cases.add(of("BinaryOp " + op + " same shape", binaryModel(ro, op), 2, random(ro, 3, 10, 7, 0.1, 2.0)));
            for (double b : new double[] {1.5, -0.75, 2.0}) {
                if (b < 0 && op == 9) continue;  // RPOW: a negative base to a fractional power is NaN
                NcnnModelWriter m = new NcnnModelWriter();
                m.input("data");
                m.layer("BinaryOp", "binary", "data", "output").put(0, op).put(1, 1).put(2, b);
                cases.add(of("BinaryOp " + op + " with scalar " + b, m, 2, random(ro, 3, 10, 7, 0.1, 2.0)));
            }
            if (op <= 8)
                for (boolean vectorFirst : new boolean[] {false, true})
                    cases.add(of("BinaryOp " + op + " per-channel broadcast" + (vectorFirst ? ", vector first" : ""),
                            broadcastModel(op, 2, vectorFirst), 2, random(ro, 3, 8, 11, 0.1, 2.0)));
        }
        NcnnModelWriter pow = new NcnnModelWriter();
        pow.input("data");
        pow.layer("BinaryOp", "binary", "data", "output").put(0, 6).put(1, 1).put(2, 3.0);
        cases.add(of("BinaryOp POW of negative bases, integer exponent", pow, 8, random(new Random(61), 3, 6, 5, -2, 2)));

        Random rp = new Random(5);
        NcnnModelWriter prelu = new NcnnModelWriter();
        prelu.input("data");
        randomConv(prelu, rp, "conv", "data", "c", 3, 5, 3, 3, true, Tag.FP16).put(4, 1);
        prelu.layer("PReLU", "prelu", "c", "output").put(0, 5).untagged(new float[] {0.25f, -0.5f, 0f, 1.5f, 0.01f});
        cases.add(of("PReLU per channel", prelu, 1, random(rp, 3, 9, 10, -1, 1)));
        NcnnModelWriter shared = new NcnnModelWriter();
        shared.input("data");
        shared.layer("PReLU", "prelu", "data", "output").put(0, 1).untagged(new float[] {0.3f});
        cases.add(of("PReLU shared slope", shared, 1, random(rp, 3, 9, 10, -1, 1)));
    }

    /** data -> Split; one branch resized to a (c,1,1) blob by an Interp with explicit output size; BinaryOp broadcasts it. */
    private static NcnnModelWriter broadcastModel(int op, int resizeType, boolean vectorFirst) {
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.split("split", "data", "a", "s");
        m.layer("Interp", "pool", "s", "v").put(0, resizeType).put(3, 1).put(4, 1);
        m.layer("BinaryOp", "binary", vectorFirst ? List.of("v", "a") : List.of("a", "v"), List.of("output")).put(0, op);
        return m;
    }

    // ---- Interp ------------------------------------------------------------------------------------

    private static void interp(List<OpCase> cases) {
        // resize_type, PixelShuffle factor in front (1 = none), Interp scale
        double[][] scales = {{1, 1, 2}, {1, 1, 3}, {1, 1, 4}, {2, 1, 2}, {2, 1, 3}, {2, 1, 4}, {3, 1, 2}, {3, 1, 3}, {3, 1, 4}, {1, 2, 0.5},
                {2, 2, 0.5}, {3, 2, 0.5}, {3, 4, 0.5}, {1, 4, 0.75}, {2, 4, 0.75}, {3, 4, 0.75}, {3, 4, 0.25}, {1, 2, 1.5}, {2, 2, 1.5}, {3, 2, 1.5}};
        for (double[] s : scales) {
            int type = (int) s[0], shuffle = (int) s[1];
            double scale = s[2];
            Random r = new Random(type * 100 + shuffle * 10 + (int) (scale * 4));
            NcnnModelWriter m = new NcnnModelWriter();
            m.input("data", 3 * shuffle * shuffle);
            String in = "data";
            if (shuffle > 1) {
                m.layer("PixelShuffle", "ps", "data", "big").put(0, shuffle);
                in = "big";
            }
            m.layer("Interp", "resize", in, "output").put(0, type).put(1, scale).put(2, scale);
            cases.add(of("Interp type " + type + ", PixelShuffle " + shuffle + " then scale " + scale, m, 1,
                    random(r, 3 * shuffle * shuffle, 8, 6, -1, 1), random(r, 3 * shuffle * shuffle, 5, 7, -1, 1)));
        }
        for (int type = 1; type <= 3; type++) {
            Random r = new Random(70 + type);
            NcnnModelWriter m = new NcnnModelWriter();
            m.input("data");
            // "1=2 2=2": ints where floats are expected must be coerced, not reinterpreted
            m.layer("Interp", "resize", "data", "output").put(0, type).put(1, 2).put(2, 2);
            cases.add(of("Interp type " + type + ", scale written as an int", m, 1, random(r, 3, 6, 5, -1, 1)));
            for (boolean vectorFirst : new boolean[] {false, true})
                cases.add(of("Interp type " + type + " to an explicit 1x1 size (broadcast" + (vectorFirst ? ", vector first)" : ")"),
                        broadcastModel(vectorFirst ? 1 : 0, type, vectorFirst), 1, random(r, 3, 8, 11, -1, 1), random(r, 3, 7, 4, -1, 1),
                        random(r, 3, 1, 1, -1, 1)));
        }
        Random r = new Random(80);
        NcnnModelWriter align = new NcnnModelWriter();
        align.input("data");
        align.layer("Interp", "resize", "data", "output").put(0, 2).put(1, 3.0).put(2, 3.0).put(6, 1);
        cases.add(of("Interp bilinear align_corner", align, 1, random(r, 3, 5, 7, -1, 1)));
    }

    // ---- PixelShuffle / Reorg / Concat / Split -------------------------------------------------------

    private static void structural(List<OpCase> cases) {
        for (int[] rm : new int[][] {{2, 0}, {2, 1}, {3, 0}, {3, 1}, {4, 0}, {4, 1}}) {
            int f = rm[0], mode = rm[1];
            Random r = new Random(f * 10 + mode);
            NcnnModelWriter m = new NcnnModelWriter();
            m.input("data", 3 * f * f);
            m.layer("PixelShuffle", "ps", "data", "output").put(0, f).put(1, mode);
            cases.add(of("PixelShuffle " + f + " mode " + mode, m, 1, random(r, 3 * f * f, 5, 6, -1, 1)));
        }
        for (int[] sm : new int[][] {{2, 0}, {3, 0}, {2, 1}}) {
            int s = sm[0], mode = sm[1];
            Random r = new Random(200 + s * 10 + mode);
            NcnnModelWriter m = new NcnnModelWriter();
            m.input("data");
            m.layer("Reorg", "reorg", "data", "small").put(0, s).put(1, mode);
            randomConv(m, r, "mix", "small", "mixed", 3 * s * s, 3 * s * s, 1, 1, true, Tag.FP32);
            m.layer("PixelShuffle", "ps", "mixed", "output").put(0, s);
            cases.add(of("Reorg " + s + " mode " + mode + ", mixing conv, PixelShuffle", m, 1, random(r, 3, 4 * s, 5 * s, -1, 1)));
            NcnnModelWriter perm = new NcnnModelWriter();
            perm.input("data");
            perm.layer("Reorg", "reorg", "data", "small").put(0, s).put(1, mode);
            perm.layer("PixelShuffle", "ps", "small", "output").put(0, s).put(1, 1 - mode);
            cases.add(of("Reorg " + s + " mode " + mode + " then PixelShuffle mode " + (1 - mode), perm, 1, random(r, 3, 2 * s, 3 * s, -1, 1)));
        }

        Random r = new Random(300);
        NcnnModelWriter odd = new NcnnModelWriter();
        odd.input("data");
        odd.split("split", "data", "x0", "x1", "x2");
        randomConv(odd, r, "c5", "x1", "five", 3, 5, 3, 3, true, Tag.FP16).put(4, 1);
        randomConv(odd, r, "c7", "x2", "seven", 3, 7, 1, 1, true, Tag.FP32);
        odd.layer("Concat", "cat", List.of("x0", "five", "seven"), List.of("output")).put(0, 0);
        cases.add(of("Concat of odd channel counts including the input", odd, 1, random(r, 3, 9, 13, -1, 1)));

        NcnnModelWriter order = new NcnnModelWriter();
        order.input("data");
        order.split("split", "data", "x0", "x1", "x2");
        randomConv(order, r, "c5", "x1", "five", 3, 5, 3, 3, true, Tag.FP32).put(4, 1);
        randomConv(order, r, "c7", "x2", "seven", 3, 7, 3, 3, true, Tag.FP32).put(4, 1).put(9, 2).putArray(10, 0.2);
        order.layer("Concat", "cat", List.of("seven", "x0", "five"), List.of("cat"));
        randomConv(order, r, "fuse", "cat", "output", 15, 3, 3, 3, true, Tag.FP16).put(4, 1);
        cases.add(of("Concat in listed order feeding a conv", order, 1, random(r, 3, 10, 12, -1, 1)));

        cases.add(of("Concat chains of a dense block (RRDB) placed in place", denseBlock(new Random(302), 16, 8), 1,
                random(r, 3, 12, 10, -1, 1), random(r, 3, 7, 20, -1, 1)));
        cases.add(of("Concat chains read by convolutions and other layers", denseBlockWithSideReaders(new Random(77)), 1,
                random(r, 3, 13, 11, -1, 1)));
        cases.add(of("Concats that cannot all be placed in place", concatsThatMustCopy(new Random(303)), 1, random(r, 3, 9, 8, -1, 1)));

        Random rs = new Random(400);
        cases.add(of("Split feeding two branches (a tiny SRVGGNetCompact)", tinySrvgg(rs), 1, random(rs, 3, 11, 9, 0, 1)));
        NcnnModelWriter twice = new NcnnModelWriter();
        twice.input("data");
        twice.split("split", "data", "a", "b");
        randomConv(twice, rs, "ca", "a", "ya", 3, 3, 3, 3, true, Tag.FP32).put(4, 1);
        twice.layer("BinaryOp", "mul", List.of("ya", "b"), List.of("t")).put(0, 2);
        twice.layer("Eltwise", "sum", List.of("t", "b"), List.of("output")).put(0, 1).putArray(1, 0.5, 2.0);
        cases.add(of("Split top read by two layers", twice, 1, random(rs, 3, 7, 8, -1, 1)));
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

    /** [x, a], [x, a, b], [x, a, b, c] read by convolutions, and by a PReLU and a Split on the way. */
    private static NcnnModelWriter denseBlockWithSideReaders(Random r) {
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
        return m;
    }

    /** The same input twice, two concats that want the input's neighbour to be different blobs, a concat of a concat. */
    private static NcnnModelWriter concatsThatMustCopy(Random r) {
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.split("sx", "data", "x1", "x2", "x3", "x4", "x5");
        randomConv(m, r, "ca", "x1", "a", 3, 4, 3, 3, true, Tag.FP32).put(4, 1);
        randomConv(m, r, "cb", "x2", "b", 3, 4, 1, 1, true, Tag.FP32);
        m.split("sa", "a", "a1", "a2", "a3");
        m.layer("Concat", "twice", List.of("x3", "x4"), List.of("t"));
        m.layer("Concat", "withA", List.of("x5", "a1"), List.of("u"));
        m.layer("Concat", "withB", List.of("t", "b", "a2"), List.of("v"));
        m.split("sv", "v", "v1", "v2");
        m.layer("Concat", "nested", List.of("u", "v1", "a3"), List.of("w"));
        randomConv(m, r, "fuse", "w", "f", 25, 3, 3, 3, true, Tag.FP32).put(4, 1);
        randomConv(m, r, "fuse2", "v2", "g", 14, 3, 1, 1, true, Tag.FP32);
        m.layer("BinaryOp", "add", List.of("f", "g"), List.of("output")).put(0, 0);
        return m;
    }
}
