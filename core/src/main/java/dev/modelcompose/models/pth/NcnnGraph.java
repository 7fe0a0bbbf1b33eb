package dev.modelcompose.models.pth;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An ncnn graph under construction, written as {@code .param} text plus {@code .bin} weights
 * (docs/esrgan-runner.md §1): convolution weights tagged fp32 ({@code 00 00 00 00}) followed by the
 * fp32 bias, PReLU slopes untagged. A blob read by several layers gets an explicit {@code Split}, as
 * ncnn requires. Weights are pulled from their suppliers one layer at a time while writing.
 */
final class NcnnGraph {
    private static final String LEAKY_02 = " 9=2 -23310=1,2.000000e-01";

    private record Node(String type, String name, List<String> bottoms, List<String> tops, String params, List<Buffer> buffers) {}

    /** One weight buffer: {@code count} floats, tagged fp32 or untagged. */
    private record Buffer(boolean tagged, int count, Supplier<float[]> values, String what) {}

    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, String> producers = new HashMap<>();

    private String add(String type, String name, List<String> bottoms, String top, String params, List<Buffer> buffers) {
        for (String b : bottoms)
            if (!producers.containsKey(b)) throw new IllegalStateException("blob " + b + " is read before it is produced");
        if (producers.containsKey(top)) throw new IllegalStateException("blob " + top + " is produced twice");
        producers.put(top, name);
        nodes.add(new Node(type, name, List.copyOf(bottoms), List.of(top), params, buffers));
        return top;
    }

    String input(String top, int channels) {
        return add("Input", "input.1", List.of(), top, "0=0 1=0 2=" + channels, List.of());
    }

    /** A k×k, stride 1, pad k/2 convolution with bias (if given) and an optional LeakyReLU(0.2). */
    String conv(String name, String bottom, String top, ConvWeights w, boolean leakyRelu) {
        int size = w.out() * w.in() * w.kernel() * w.kernel();
        List<Buffer> buffers = new ArrayList<>();
        buffers.add(new Buffer(true, size, w.weight(), name + " weight"));
        if (w.bias() != null) buffers.add(new Buffer(false, w.out(), w.bias(), name + " bias"));
        String params = String.format(Locale.ROOT, "0=%d 1=%d 4=%d 5=%d 6=%d", w.out(), w.kernel(), w.kernel() / 2, w.bias() != null ? 1 : 0, size)
                + (leakyRelu ? LEAKY_02 : "");
        return add("Convolution", name, List.of(bottom), top, params, buffers);
    }

    String prelu(String name, String bottom, String top, int slopes, Supplier<float[]> values) {
        return add("PReLU", name, List.of(bottom), top, "0=" + slopes, List.of(new Buffer(false, slopes, values, name + " slope")));
    }

    String concat(String name, List<String> bottoms, String top) {
        return add("Concat", name, bottoms, top, "0=0", List.of());
    }

    /** {@code top = ca·a + cb·b}. */
    String eltwiseSum(String name, String a, double ca, String b, double cb, String top) {
        return add("Eltwise", name, List.of(a, b), top, String.format(Locale.ROOT, "0=1 -23301=2,%e,%e", ca, cb), List.of());
    }

    String add(String name, String a, String b, String top) {
        return add("BinaryOp", name, List.of(a, b), top, "0=0", List.of());
    }

    String nearest(String name, String bottom, int scale, String top) {
        return add("Interp", name, List.of(bottom), top, String.format(Locale.ROOT, "0=1 1=%e 2=%e", (double) scale, (double) scale), List.of());
    }

    String pixelShuffle(String name, String bottom, int factor, String top) {
        return add("PixelShuffle", name, List.of(bottom), top, "0=" + factor, List.of());
    }

    /** PyTorch {@code pixel_unshuffle}: ncnn Reorg, mode 0. */
    String reorg(String name, String bottom, int stride, String top) {
        return add("Reorg", name, List.of(bottom), top, "0=" + stride, List.of());
    }

    /** Convolution weights in OIHW order, read lazily. */
    record ConvWeights(int out, int in, int kernel, Supplier<float[]> weight, Supplier<float[]> bias) {}

    // ---- output ---------------------------------------------------------------------------------

    /** The final layer list with a Split after every blob that several layers read. */
    private List<Node> withSplits() {
        Map<String, Integer> uses = new HashMap<>();
        for (Node n : nodes)
            for (String b : n.bottoms()) uses.merge(b, 1, Integer::sum);
        Map<String, List<String>> splitTops = new LinkedHashMap<>();
        Map<String, Integer> nextUse = new HashMap<>();
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            List<String> bottoms = new ArrayList<>();
            for (String b : n.bottoms()) {
                List<String> tops = splitTops.get(b);
                if (tops == null) {
                    bottoms.add(b);
                } else {
                    int i = nextUse.merge(b, 1, Integer::sum) - 1;
                    bottoms.add(tops.get(i));
                }
            }
            out.add(new Node(n.type(), n.name(), bottoms, n.tops(), n.params(), n.buffers()));
            for (String t : n.tops()) {
                int u = uses.getOrDefault(t, 0);
                if (u > 1) {
                    List<String> tops = new ArrayList<>();
                    for (int i = 0; i < u; i++) tops.add(t + "_splitncnn_" + i);
                    splitTops.put(t, tops);
                    out.add(new Node("Split", "splitncnn_" + t, List.of(t), tops, "", List.of()));
                }
            }
        }
        return out;
    }

    String paramText() {
        List<Node> all = withSplits();
        int blobs = 0;
        for (Node n : all) blobs += n.tops().size();
        StringBuilder sb = new StringBuilder();
        sb.append("7767517\n").append(all.size()).append(' ').append(blobs).append('\n');
        for (Node n : all) {
            sb.append(String.format(Locale.ROOT, "%-16s %-24s %d %d", n.type(), n.name(), n.bottoms().size(), n.tops().size()));
            for (String b : n.bottoms()) sb.append(' ').append(b);
            for (String t : n.tops()) sb.append(' ').append(t);
            if (!n.params().isEmpty()) sb.append(' ').append(n.params());
            sb.append('\n');
        }
        return sb.toString();
    }

    void write(Path param, Path bin) throws IOException {
        Files.writeString(param, paramText(), StandardCharsets.UTF_8);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(bin), 1 << 16)) {
            for (Node n : nodes)
                for (Buffer b : n.buffers()) {
                    float[] v = b.values().get();
                    if (v.length != b.count())
                        throw new PthFormatException(b.what() + " has " + v.length + " values, expected " + b.count());
                    ByteBuffer buf = ByteBuffer.allocate((b.tagged() ? 4 : 0) + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
                    if (b.tagged()) buf.putInt(0x00000000);
                    buf.asFloatBuffer().put(v);
                    out.write(buf.array());
                }
        }
    }
}
