package dev.modelcompose.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.modelcompose.testing.NcnnModelWriter.Layer;
import dev.modelcompose.testing.NcnnModelWriter.Tag;
import dev.modelcompose.upscale.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** Small random models and inputs for the op tests (CPU against the reference, Vulkan against the CPU), and their comparison. */
public final class OpModels {
    private OpModels() {}

    public static Activation random(Random r, int c, int h, int w, double lo, double hi) {
        Activation a = new Activation(c, h, w);
        for (int i = 0; i < a.data().length; i++) a.data()[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return a;
    }

    public static float[] random(Random r, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return v;
    }

    /** A conv layer with random weights (scaled by 1/sqrt(fan-in)) and optional random bias. */
    public static Layer randomConv(NcnnModelWriter m, Random r, String name, String bottom, String top, int in, int out, int kw, int kh,
                                   boolean bias, Tag tag) {
        Layer l = m.layer("Convolution", name, bottom, top).put(0, out).put(1, kw).put(6, out * in * kw * kh);
        if (kh != kw) l.put(11, kh);
        double scale = 1.5 / Math.sqrt(in * kw * kh);
        l.tagged(tag, random(r, out * in * kw * kh, -scale, scale));
        if (bias) l.put(5, 1).untagged(random(r, out, -0.5, 0.5));
        return l;
    }

    /** data -> Split(s0, s1, s2...); s1... through 1x1 convs; Eltwise over them all. */
    public static NcnnModelWriter eltwiseModel(Random r, int op, double[] coeffs, int inputs) {
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        List<String> tops = new ArrayList<>();
        for (int i = 0; i < inputs; i++) tops.add("s" + i);
        m.layer("Split", "split", List.of("data"), tops);
        List<String> bottoms = new ArrayList<>(List.of("s0"));
        for (int i = 1; i < inputs; i++) {
            randomConv(m, r, "conv" + i, "s" + i, "b" + i, 3, 3, 1, 1, true, Tag.FP32);
            bottoms.add("b" + i);
        }
        Layer e = m.layer("Eltwise", "eltwise", bottoms, List.of("output")).put(0, op);
        if (coeffs != null) e.putArray(1, coeffs);
        return m;
    }

    /** data -> Split(a, s); b = 1x1 conv of s with positive weights and bias (so b >= 0.5); BinaryOp(a, b). */
    public static NcnnModelWriter binaryModel(Random r, int op) {
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.split("split", "data", "a", "s");
        m.conv("conv", "s", "b", 3, 3, 1).put(5, 1).tagged(Tag.FP32, random(r, 9, 0.1, 0.5)).untagged(random(r, 3, 0.5, 1.0));
        m.layer("BinaryOp", "binary", List.of("a", "b"), List.of("output")).put(0, op);
        return m;
    }

    /** A tiny SRVGGNetCompact: the structure of realesr-animevideov3 with 8 features and x2. */
    public static NcnnModelWriter tinySrvgg(Random r) {
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.split("splitncnn_input0", "data", "x_a", "x_b");
        randomConv(m, r, "conv0", "x_b", "c0", 3, 8, 3, 3, true, Tag.FP16).put(4, 1);
        m.layer("PReLU", "prelu0", "c0", "p0").put(0, 8).untagged(random(r, 8, 0, 0.3));
        randomConv(m, r, "conv1", "p0", "c1", 8, 8, 3, 3, true, Tag.FP16).put(4, 1);
        m.layer("PReLU", "prelu1", "c1", "p1").put(0, 8).untagged(random(r, 8, 0, 0.3));
        randomConv(m, r, "conv2", "p1", "c2", 8, 12, 3, 3, true, Tag.FP16).put(4, 1);
        m.layer("PixelShuffle", "ps", "c2", "up").put(0, 2);
        m.layer("Interp", "nearest", "x_a", "base").put(0, 1).put(1, 2.0).put(2, 2.0);
        m.layer("BinaryOp", "add", List.of("up", "base"), List.of("output")).put(0, 0);
        return m;
    }

    /**
     * |actual − expected| ≤ tol·max(1, |expected|): absolute near zero, relative for large values. {@code nanMatchesNan}
     * counts a NaN on both sides as equal; the names label the two sides in the failure message.
     */
    public static void assertClose(Activation expected, Activation actual, double tol, boolean nanMatchesNan, String expectedName,
                                   String actualName, Object context) {
        String shapeE = expected.channels() + "x" + expected.height() + "x" + expected.width();
        String shapeA = actual.channels() + "x" + actual.height() + "x" + actual.width();
        assertEquals(shapeE, shapeA, () -> "output shape (c x h x w) of\n" + context);
        int bad = 0;
        String first = null;
        double worst = 0;
        for (int c = 0; c < expected.channels(); c++)
            for (int y = 0; y < expected.height(); y++)
                for (int x = 0; x < expected.width(); x++) {
                    double e = expected.get(c, y, x), a = actual.get(c, y, x);
                    double err = nanMatchesNan && Double.isNaN(e) && Double.isNaN(a) ? 0 : Math.abs(a - e) / Math.max(1.0, Math.abs(e));
                    if (!(err <= tol)) {
                        bad++;
                        if (first == null)
                            first = String.format(Locale.ROOT, "at (c=%d, y=%d, x=%d): %s %.7g, %s %.7g", c, y, x, expectedName, e, actualName, a);
                    }
                    if (!(err <= worst)) worst = err;
                }
        if (bad > 0)
            fail(bad + " of " + expected.data().length + " values differ by more than " + tol + " (worst " + worst + "); first " + first + "\n"
                    + context);
    }
}
