package dev.modelcompose.testing;

import dev.modelcompose.testing.NcnnModelWriter.Layer;
import dev.modelcompose.upscale.Activation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Straightforward (slow, double-precision) implementations of the ncnn ops, written from the op table
 * in docs/esrgan-runner.md §2, plus an interpreter that runs a {@link NcnnModelWriter} graph with
 * them. Blobs are planar (c, h, w) {@link Activation}s. Nothing here shares code with the runner.
 */
public final class ReferenceOps {
    static final int SAME_UPPER = -233;
    static final int SAME_LOWER = -234;

    private ReferenceOps() {}

    // ---- Convolution ---------------------------------------------------------------------------

    /** Convolution parameters with the doc's defaults already applied. */
    record ConvSpec(int outC, int kw, int kh, int dw, int dh, int sw, int sh, int padLeft, int padRight, int padTop,
                    int padBottom, double padValue, int activation, double[] activationParams) {

        static ConvSpec of(Layer l) {
            int kw = l.getInt(1, 0);
            int dw = l.getInt(2, 1);
            int sw = l.getInt(3, 1);
            int pl = l.getInt(4, 0);
            int pt = l.getInt(14, pl);
            return new ConvSpec(l.getInt(0, 0), kw, l.getInt(11, kw), dw, l.getInt(12, dw), sw, l.getInt(13, sw), pl,
                    l.getInt(15, pl), pt, l.getInt(16, pt), l.getFloat(18, 0.0), l.getInt(9, 0), l.getArray(10));
        }
    }

    /** Cross-correlation with bias (may be null), constant padding and fused activation. */
    static Activation convolution(Activation x, float[] weights, float[] bias, ConvSpec s) {
        int inC = weights.length / (s.outC() * s.kw() * s.kh());
        if (inC != x.channels()) throw new IllegalArgumentException("conv expects " + inC + " channels, got " + x.channels());
        int extW = (s.kw() - 1) * s.dw() + 1, extH = (s.kh() - 1) * s.dh() + 1;
        int[] pw = pads(s.padLeft(), s.padRight(), x.width(), extW, s.sw());
        int[] ph = pads(s.padLeft() == SAME_UPPER || s.padLeft() == SAME_LOWER ? s.padLeft() : s.padTop(),
                s.padLeft() == SAME_UPPER || s.padLeft() == SAME_LOWER ? s.padLeft() : s.padBottom(), x.height(), extH, s.sh());
        int outH = (x.height() + ph[0] + ph[1] - extH) / s.sh() + 1;
        int outW = (x.width() + pw[0] + pw[1] - extW) / s.sw() + 1;
        Activation y = new Activation(s.outC(), outH, outW);
        for (int o = 0; o < s.outC(); o++)
            for (int oy = 0; oy < outH; oy++)
                for (int ox = 0; ox < outW; ox++) {
                    double acc = bias == null ? 0 : bias[o];
                    for (int i = 0; i < inC; i++)
                        for (int ky = 0; ky < s.kh(); ky++)
                            for (int kx = 0; kx < s.kw(); kx++) {
                                int sy = oy * s.sh() + ky * s.dh() - ph[0];
                                int sx = ox * s.sw() + kx * s.dw() - pw[0];
                                boolean inside = sy >= 0 && sx >= 0 && sy < x.height() && sx < x.width();
                                double v = inside ? x.get(i, sy, sx) : s.padValue();
                                acc += weights[((o * inC + i) * s.kh() + ky) * s.kw() + kx] * v;
                            }
                    y.set(o, oy, ox, (float) activation(acc, s.activation(), s.activationParams()));
                }
        return y;
    }

    /** {before, after} padding of one axis; -233 / -234 = SAME_UPPER / SAME_LOWER (extra pixel after / before). */
    static int[] pads(int before, int after, int in, int extent, int stride) {
        if (before != SAME_UPPER && before != SAME_LOWER) return new int[] {before, after};
        int out = (in + stride - 1) / stride;
        int total = Math.max((out - 1) * stride + extent - in, 0);
        int small = total / 2, large = total - small;
        return before == SAME_UPPER ? new int[] {small, large} : new int[] {large, small};
    }

    /** The fused activations 0..6 of the doc's table. */
    static double activation(double x, int type, double[] p) {
        switch (type) {
            case 0: return x;
            case 1: return Math.max(x, 0);
            case 2: return x > 0 ? x : x * p[0];
            case 3: return Math.min(Math.max(x, p[0]), p[1]);
            case 4: return 1 / (1 + Math.exp(-x));
            case 5: return x * Math.tanh(Math.log(1 + Math.exp(x)));
            case 6: {
                double alpha = p[0], beta = p[1];
                if (x < -beta / alpha) return 0;
                if (x > (1 - beta) / alpha) return x;
                return x * (alpha * x + beta);
            }
            default: throw new IllegalArgumentException("activation " + type);
        }
    }

    // ---- elementwise -----------------------------------------------------------------------------

    /** Eltwise: 0 PROD, 1 SUM with coefficients (empty = all 1), 2 MAX. */
    static Activation eltwise(int op, double[] coeffs, List<Activation> xs) {
        Activation first = xs.get(0);
        Activation y = new Activation(first.channels(), first.height(), first.width());
        for (int i = 0; i < y.data().length; i++) {
            double acc;
            if (op == 1) {
                acc = 0;
                for (int k = 0; k < xs.size(); k++) acc += (coeffs.length == 0 ? 1 : coeffs[k]) * xs.get(k).data()[i];
            } else {
                acc = first.data()[i];
                for (int k = 1; k < xs.size(); k++)
                    acc = op == 0 ? acc * xs.get(k).data()[i] : Math.max(acc, xs.get(k).data()[i]);
            }
            y.data()[i] = (float) acc;
        }
        return y;
    }

    /** BinaryOp ids: 0 ADD, 1 SUB, 2 MUL, 3 DIV, 4 MAX, 5 MIN, 6 POW, 7 RSUB, 8 RDIV, 9 RPOW, 10 ATAN2, 11 RATAN2. */
    static double binary(int op, double a, double b) {
        switch (op) {
            case 0: return a + b;
            case 1: return a - b;
            case 2: return a * b;
            case 3: return a / b;
            case 4: return Math.max(a, b);
            case 5: return Math.min(a, b);
            case 6: return Math.pow(a, b);
            case 7: return b - a;
            case 8: return b / a;
            case 9: return Math.pow(b, a);
            case 10: return Math.atan2(a, b);
            case 11: return Math.atan2(b, a);
            default: throw new IllegalArgumentException("binary op " + op);
        }
    }

    static Activation binaryScalar(int op, Activation a, double b) {
        Activation y = new Activation(a.channels(), a.height(), a.width());
        for (int i = 0; i < y.data().length; i++) y.data()[i] = (float) binary(op, a.data()[i], b);
        return y;
    }

    /** Same shapes, or one side (c, 1, 1) broadcast per channel over the other. */
    static Activation binary(int op, Activation a, Activation b) {
        boolean aVec = a.height() == 1 && a.width() == 1, bVec = b.height() == 1 && b.width() == 1;
        Activation shape = bVec || !aVec ? a : b;
        if (a.channels() != b.channels()) throw new IllegalArgumentException("channels differ");
        Activation y = new Activation(shape.channels(), shape.height(), shape.width());
        for (int c = 0; c < y.channels(); c++)
            for (int yy = 0; yy < y.height(); yy++)
                for (int x = 0; x < y.width(); x++) {
                    double va = aVec ? a.get(c, 0, 0) : a.get(c, yy, x);
                    double vb = bVec ? b.get(c, 0, 0) : b.get(c, yy, x);
                    y.set(c, yy, x, (float) binary(op, va, vb));
                }
        return y;
    }

    static Activation prelu(Activation x, float[] slopes) {
        Activation y = new Activation(x.channels(), x.height(), x.width());
        for (int c = 0; c < x.channels(); c++) {
            double slope = slopes.length == 1 ? slopes[0] : slopes[c];
            for (int yy = 0; yy < x.height(); yy++)
                for (int xx = 0; xx < x.width(); xx++) {
                    double v = x.get(c, yy, xx);
                    y.set(c, yy, xx, (float) (v > 0 ? v : slope * v));
                }
        }
        return y;
    }

    // ---- structural --------------------------------------------------------------------------

    static Activation concat(List<Activation> xs) {
        int c = 0;
        for (Activation x : xs) c += x.channels();
        Activation first = xs.get(0);
        Activation y = new Activation(c, first.height(), first.width());
        int offset = 0;
        for (Activation x : xs) {
            System.arraycopy(x.data(), 0, y.data(), offset, x.data().length);
            offset += x.data().length;
        }
        return y;
    }

    /** mode 0: out[c, y·r+i, x·r+j] = in[c·r²+i·r+j, y, x]; mode 1: in[(i·r+j)·Cout+c, y, x]. */
    public static Activation pixelShuffle(Activation x, int r, int mode) {
        int outC = x.channels() / (r * r);
        Activation y = new Activation(outC, x.height() * r, x.width() * r);
        for (int c = 0; c < outC; c++)
            for (int yy = 0; yy < x.height(); yy++)
                for (int xx = 0; xx < x.width(); xx++)
                    for (int i = 0; i < r; i++)
                        for (int j = 0; j < r; j++) {
                            int src = mode == 0 ? c * r * r + i * r + j : (i * r + j) * outC + c;
                            y.set(c, yy * r + i, xx * r + j, x.get(src, yy, xx));
                        }
        return y;
    }

    /**
     * Mode 0: out[c·s²+i·s+j, y, x] = in[c, y·s+i, x·s+j] (PyTorch pixel_unshuffle); mode 1 (the inverse of
     * PixelShuffle's DCR mode): out[(i·s+j)·C+c, y, x] = in[c, y·s+i, x·s+j].
     */
    static Activation reorg(Activation x, int s, int mode) {
        Activation y = new Activation(x.channels() * s * s, x.height() / s, x.width() / s);
        for (int c = 0; c < x.channels(); c++)
            for (int i = 0; i < s; i++)
                for (int j = 0; j < s; j++)
                    for (int yy = 0; yy < y.height(); yy++)
                        for (int xx = 0; xx < y.width(); xx++)
                            y.set(mode == 0 ? c * s * s + i * s + j : (i * s + j) * x.channels() + c, yy, xx, x.get(c, yy * s + i, xx * s + j));
        return y;
    }

    // ---- Deconvolution ---------------------------------------------------------------------------

    /**
     * Transposed convolution (PyTorch ConvTranspose2d, weights [out][in][kh][kw]): every input pixel (y, x) adds
     * w[o][i][ky][kx]·in[i][y][x] at (y·sh + ky·dh, x·sw + kx·dw) of an output of (in−1)·stride + extent +
     * output_pad pixels, bias everywhere; the result is cropped by the pads, then activated.
     */
    static Activation deconvolution(Activation x, float[] weights, float[] bias, Layer l) {
        int outC = l.getInt(0, 0), kw = l.getInt(1, 0), kh = l.getInt(11, kw), dw = l.getInt(2, 1), dh = l.getInt(12, dw);
        int sw = l.getInt(3, 1), sh = l.getInt(13, sw), pl = l.getInt(4, 0), pr = l.getInt(15, pl), pt = l.getInt(14, pl), pb = l.getInt(16, pt);
        int opr = l.getInt(18, 0), opb = l.getInt(19, opr);
        int inC = weights.length / (outC * kw * kh);
        int fullH = (x.height() - 1) * sh + (kh - 1) * dh + 1 + opb, fullW = (x.width() - 1) * sw + (kw - 1) * dw + 1 + opr;
        double[] full = new double[outC * fullH * fullW];
        for (int o = 0; o < outC; o++) {
            java.util.Arrays.fill(full, o * fullH * fullW, (o + 1) * fullH * fullW, bias == null ? 0 : bias[o]);
            for (int i = 0; i < inC; i++)
                for (int y = 0; y < x.height(); y++)
                    for (int xx = 0; xx < x.width(); xx++)
                        for (int ky = 0; ky < kh; ky++)
                            for (int kx = 0; kx < kw; kx++)
                                full[(o * fullH + y * sh + ky * dh) * fullW + xx * sw + kx * dw] +=
                                        (double) weights[((o * inC + i) * kh + ky) * kw + kx] * x.get(i, y, xx);
        }
        Activation out = new Activation(outC, fullH - pt - pb, fullW - pl - pr);
        for (int o = 0; o < outC; o++)
            for (int y = 0; y < out.height(); y++)
                for (int xx = 0; xx < out.width(); xx++)
                    out.set(o, y, xx, (float) activation(full[(o * fullH + y + pt) * fullW + xx + pl], l.getInt(9, 0), l.getArray(10)));
        return out;
    }

    // ---- Interp ------------------------------------------------------------------------------

    /**
     * resize_type 1 nearest / 2 bilinear / 3 bicubic. Output size: the explicit size when given,
     * else {@code (int)(n·scale)}. Nearest: {@code src = min(floor(dst/scale), n-1)} (scale = out/in for
     * an explicit size). Bilinear and bicubic: half-pixel {@code f = (d+0.5)·in/out − 0.5} (or
     * {@code d·(in−1)/(out−1)} with align_corner), taps clamped to the edge, Keys A = −0.75, no antialiasing.
     */
    static Activation interp(Activation x, int type, double hs, double ws, int outH, int outW, boolean alignCorner) {
        boolean explicit = outH != 0 && outW != 0;
        int oh = explicit ? outH : (int) (x.height() * (float) hs);
        int ow = explicit ? outW : (int) (x.width() * (float) ws);
        double[][] ty = taps(type, x.height(), oh, explicit ? (double) oh / x.height() : hs, alignCorner);
        double[][] tx = taps(type, x.width(), ow, explicit ? (double) ow / x.width() : ws, alignCorner);
        int n = ty[0].length / 2;
        Activation y = new Activation(x.channels(), oh, ow);
        for (int c = 0; c < x.channels(); c++)
            for (int yy = 0; yy < oh; yy++)
                for (int xx = 0; xx < ow; xx++) {
                    double acc = 0;
                    for (int a = 0; a < n; a++)
                        for (int b = 0; b < n; b++)
                            acc += ty[yy][2 * a + 1] * tx[xx][2 * b + 1] * x.get(c, (int) ty[yy][2 * a], (int) tx[xx][2 * b]);
                    y.set(c, yy, xx, (float) acc);
                }
        return y;
    }

    /** Per output index: {index0, weight0, index1, weight1, ...}. */
    private static double[][] taps(int type, int in, int out, double scale, boolean alignCorner) {
        double[][] t = new double[out][];
        for (int d = 0; d < out; d++) {
            if (type == 1) {
                t[d] = new double[] {Math.min((int) Math.floor(d / scale), in - 1), 1};
                continue;
            }
            double f = alignCorner ? (out > 1 ? d * (in - 1.0) / (out - 1.0) : 0) : (d + 0.5) * in / out - 0.5;
            int i0 = (int) Math.floor(f);
            double frac = f - i0;
            if (type == 2) {
                t[d] = new double[] {clamp(i0, in), 1 - frac, clamp(i0 + 1, in), frac};
            } else {
                t[d] = new double[8];
                for (int k = -1; k <= 2; k++) {
                    t[d][2 * (k + 1)] = clamp(i0 + k, in);
                    t[d][2 * (k + 1) + 1] = keys(frac - k);
                }
            }
        }
        return t;
    }

    private static double keys(double s) {
        final double a = -0.75;
        s = Math.abs(s);
        if (s <= 1) return (a + 2) * s * s * s - (a + 3) * s * s + 1;
        if (s < 2) return a * s * s * s - 5 * a * s * s + 8 * a * s - 4 * a;
        return 0;
    }

    private static int clamp(int i, int n) {
        return Math.min(Math.max(i, 0), n - 1);
    }

    // ---- whole graph -------------------------------------------------------------------------

    /** Runs the graph of {@code model} on {@code input}; returns its single unconsumed blob (or "output"). */
    public static Activation forward(NcnnModelWriter model, Activation input) {
        Map<String, Activation> blobs = new HashMap<>();
        Set<String> consumed = new HashSet<>();
        List<String> produced = new ArrayList<>();
        for (Layer l : model.layers()) {
            List<Activation> in = new ArrayList<>();
            for (String b : l.bottoms()) {
                in.add(blobs.get(b));
                consumed.add(b);
            }
            List<Activation> out = run(l, in, input);
            for (int k = 0; k < l.tops().size(); k++) {
                blobs.put(l.tops().get(k), out.get(k));
                produced.add(l.tops().get(k));
            }
        }
        List<String> unread = new ArrayList<>();
        for (String b : produced)
            if (!consumed.contains(b)) unread.add(b);
        String output = unread.size() == 1 ? unread.get(0) : "output";
        return blobs.get(output);
    }

    private static List<Activation> run(Layer l, List<Activation> in, Activation input) {
        switch (l.type()) {
            case "Input":
                return List.of(input);
            case "Split": {
                List<Activation> out = new ArrayList<>();
                for (int k = 0; k < l.tops().size(); k++) out.add(in.get(0));
                return out;
            }
            case "Convolution": {
                ConvSpec s = ConvSpec.of(l);
                float[] w = l.buffers().get(0).decoded();
                float[] b = l.getInt(5, 0) != 0 ? l.buffers().get(1).decoded() : null;
                return List.of(convolution(in.get(0), w, b, s));
            }
            case "Deconvolution": {
                float[] w = l.buffers().get(0).decoded();
                float[] b = l.getInt(5, 0) != 0 ? l.buffers().get(1).decoded() : null;
                return List.of(deconvolution(in.get(0), w, b, l));
            }
            case "Eltwise":
                return List.of(eltwise(l.getInt(0, 0), l.getArray(1), in));
            case "BinaryOp":
                return List.of(l.getInt(1, 0) != 0 ? binaryScalar(l.getInt(0, 0), in.get(0), l.getFloat(2, 0))
                        : binary(l.getInt(0, 0), in.get(0), in.get(1)));
            case "PReLU":
                return List.of(prelu(in.get(0), l.buffers().get(0).decoded()));
            case "Concat":
                return List.of(concat(in));
            case "PixelShuffle":
                return List.of(pixelShuffle(in.get(0), l.getInt(0, 1), l.getInt(1, 0)));
            case "Reorg":
                return List.of(reorg(in.get(0), l.getInt(0, 1), l.getInt(1, 0)));
            case "Interp":
                return List.of(interp(in.get(0), l.getInt(0, 0), l.getFloat(1, 1), l.getFloat(2, 1), l.getInt(3, 0), l.getInt(4, 0),
                        l.getInt(6, 0) != 0));
            default:
                throw new IllegalArgumentException("no reference for " + l.type());
        }
    }
}
