package dev.modelcompose.testing;

import dev.modelcompose.upscale.ModelFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Builds a small ncnn model in a test and writes it as a {@code .param} text + {@code .bin} file pair
 * (format: docs/esrgan-runner.md §1). Layers keep their params and weight buffers in a structured form,
 * so a reference interpreter can run the same graph; the {@code with*} / {@code edit*} hooks produce
 * deliberately broken variants.
 *
 * <pre>{@code
 * NcnnModelWriter m = new NcnnModelWriter();
 * m.input("data");
 * m.conv("conv1", "data", "output", 3, 3, 3).params(p -> p.put(4, 1)).weights(Tag.FP16, w).bias(b);
 * ModelFiles files = m.write(dir, "tiny");
 * }</pre>
 */
public final class NcnnModelWriter {

    public static final int MAGIC = 7767517;

    /** Storage flag of a tagged weight buffer (the u32 little-endian word in front of it). */
    public enum Tag {
        FP32(0x00000000), FP32_SCALED(0x0002C056), FP16(0x01306B47), INT8(0x000D4B38), BF16(0x01348B83);

        public final int value;

        Tag(int value) {
            this.value = value;
        }
    }

    /** One {@code id=value} entry: a scalar or an array, each number written as int or float. */
    public record Param(int id, boolean array, double[] values, boolean[] isFloat, String rawToken) {
        /** Scalar value as the layer would read it (ints and floats share one slot). */
        public double value() {
            return values[0];
        }

        String token() {
            if (rawToken != null) return rawToken;
            StringBuilder sb = new StringBuilder();
            if (array) {
                sb.append(-(23300 + id)).append('=').append(values.length);
                for (int i = 0; i < values.length; i++) sb.append(',').append(format(values[i], isFloat[i]));
            } else {
                sb.append(id).append('=').append(format(values[0], isFloat[0]));
            }
            return sb.toString();
        }

        /** The value a reader gets back from the %e text (6 significant decimals after the point). */
        static double asWritten(double v) {
            return Double.parseDouble(format(v, true));
        }

        private static String format(double v, boolean isFloat) {
            return isFloat ? String.format(Locale.ROOT, "%e", v) : Long.toString((long) v);
        }
    }

    /** A weight buffer: tagged (with its flag), untagged fp32, or raw bytes copied verbatim. */
    public static final class Buffer {
        private final Tag tag;        // null = untagged
        private final Integer rawTag; // a custom flag word, for broken variants
        private final float[] values;
        private final short[] halves; // the fp16/bf16 bits actually written
        private final byte[] raw;

        private Buffer(Tag tag, Integer rawTag, float[] values, byte[] raw) {
            this.tag = tag;
            this.rawTag = rawTag;
            this.raw = raw;
            if (values != null && (tag == Tag.FP16 || tag == Tag.BF16)) {
                halves = new short[values.length];
                for (int i = 0; i < values.length; i++) halves[i] = tag == Tag.FP16 ? floatToHalf(values[i]) : floatToBf16(values[i]);
            } else {
                halves = null;
            }
            this.values = values;
        }

        /** The values a correct loader must produce (fp16 buffers: the rounded, decoded values). */
        public float[] decoded() {
            if (values == null) return null;
            if (halves == null) return values.clone();
            float[] out = new float[halves.length];
            for (int i = 0; i < halves.length; i++) out[i] = tag == Tag.FP16 ? halfToFloat(halves[i]) : bf16ToFloat(halves[i]);
            return out;
        }

        public Tag tag() {
            return tag;
        }

        byte[] bytes() {
            if (raw != null) return raw.clone();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (tag != null || rawTag != null) putInt(out, rawTag != null ? rawTag : tag.value);
            if (halves != null) {
                for (short h : halves) {
                    out.write(h & 0xFF);
                    out.write((h >>> 8) & 0xFF);
                }
                if (halves.length % 2 == 1) out.write(new byte[2], 0, 2);
            } else if (tag == Tag.INT8) {
                for (float v : values) out.write((byte) Math.round(v));
                for (int i = values.length; i % 4 != 0; i++) out.write(0);
            } else {
                for (float v : values) putInt(out, Float.floatToRawIntBits(v));
            }
            return out.toByteArray();
        }

        /** Fp16 words written for this buffer (only for {@link Tag#FP16} / {@link Tag#BF16}). */
        public short[] halves() {
            return halves == null ? null : halves.clone();
        }
    }

    /** A layer line plus the weight buffers it owns in the .bin. */
    public static final class Layer {
        private final String type;
        private final String name;
        private final List<String> bottoms;
        private final List<String> tops;
        private final List<Param> params = new ArrayList<>();
        private final List<Buffer> buffers = new ArrayList<>();

        Layer(String type, String name, List<String> bottoms, List<String> tops) {
            this.type = type;
            this.name = name;
            this.bottoms = List.copyOf(bottoms);
            this.tops = List.copyOf(tops);
        }

        public String type() {
            return type;
        }

        public String name() {
            return name;
        }

        public List<String> bottoms() {
            return bottoms;
        }

        public List<String> tops() {
            return tops;
        }

        public List<Buffer> buffers() {
            return List.copyOf(buffers);
        }

        /** Scalar int param {@code id=value}. */
        public Layer put(int id, int value) {
            return add(new Param(id, false, new double[] {value}, new boolean[] {false}, null));
        }

        /** Scalar float param, written in the {@code %e} form the real models use. */
        public Layer put(int id, double value) {
            return add(new Param(id, false, new double[] {Param.asWritten(value)}, new boolean[] {true}, null));
        }

        /** Float array param {@code -(23300+id)=N,v1,...}. */
        public Layer putArray(int id, double... values) {
            boolean[] f = new boolean[values.length];
            Arrays.fill(f, true);
            double[] v = new double[values.length];
            for (int i = 0; i < v.length; i++) v[i] = Param.asWritten(values[i]);
            return add(new Param(id, true, v, f, null));
        }

        /** A token written verbatim (for broken variants); ignored by reference interpreters. */
        public Layer rawParam(String token) {
            params.add(new Param(-1, false, new double[] {0}, new boolean[] {false}, token));
            return this;
        }

        private Layer add(Param p) {
            params.removeIf(q -> q.id() == p.id() && q.rawToken() == null);
            params.add(p);
            return this;
        }

        public Param param(int id) {
            for (Param p : params)
                if (p.id() == id && p.rawToken() == null) return p;
            return null;
        }

        public int getInt(int id, int fallback) {
            Param p = param(id);
            return p == null ? fallback : (int) p.value();
        }

        public double getFloat(int id, double fallback) {
            Param p = param(id);
            return p == null ? fallback : p.value();
        }

        public double[] getArray(int id) {
            Param p = param(id);
            return p == null ? new double[0] : p.values().clone();
        }

        public Layer tagged(Tag tag, float[] values) {
            buffers.add(new Buffer(tag, null, values.clone(), null));
            return this;
        }

        /** A tagged buffer whose flag word is {@code tagWord} (e.g. an unknown tag), payload as fp32. */
        public Layer taggedRaw(int tagWord, float[] values) {
            buffers.add(new Buffer(null, tagWord, values.clone(), null));
            return this;
        }

        public Layer untagged(float[] values) {
            buffers.add(new Buffer(null, null, values.clone(), null));
            return this;
        }

        public Layer rawBytes(byte[] bytes) {
            buffers.add(new Buffer(null, null, null, bytes.clone()));
            return this;
        }

        String line() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "%-16s %-24s %d %d", type, name, bottoms.size(), tops.size()));
            for (String b : bottoms) sb.append(' ').append(b);
            for (String t : tops) sb.append(' ').append(t);
            for (Param p : params) sb.append(' ').append(p.token());
            return sb.toString();
        }
    }

    private final List<Layer> layers = new ArrayList<>();
    private int magic = MAGIC;
    private Integer declaredLayers;
    private Integer declaredBlobs;
    private UnaryOperator<String> paramEdit = UnaryOperator.identity();
    private UnaryOperator<byte[]> binEdit = UnaryOperator.identity();

    public List<Layer> layers() {
        return List.copyOf(layers);
    }

    /** Adds a layer line; weights and params are attached to the returned layer. */
    public Layer layer(String type, String name, List<String> bottoms, List<String> tops) {
        Layer l = new Layer(type, name, bottoms, tops);
        layers.add(l);
        return l;
    }

    public Layer layer(String type, String name, String bottom, String top) {
        return layer(type, name, List.of(bottom), List.of(top));
    }

    /** An {@code Input} layer producing {@code top}. */
    public Layer input(String top) {
        return layer("Input", "input.1", List.of(), List.of(top));
    }

    /** An {@code Input} layer that declares its channel count (param 2=c). */
    public Layer input(String top, int channels) {
        return input(top).put(2, channels);
    }

    /**
     * A Convolution with num_output, kernel_w and weight_data_size set; attach the weights with
     * {@link Layer#tagged} (and the bias with {@link Layer#untagged} plus {@code put(5, 1)}).
     */
    public Layer conv(String name, String bottom, String top, int outChannels, int inChannels, int kernel) {
        return layer("Convolution", name, bottom, top).put(0, outChannels).put(1, kernel)
                .put(6, outChannels * inChannels * kernel * kernel);
    }

    public Layer split(String name, String bottom, String... tops) {
        return layer("Split", name, List.of(bottom), List.of(tops));
    }

    // ---- broken variants -------------------------------------------------------------------

    public NcnnModelWriter withMagic(int value) {
        this.magic = value;
        return this;
    }

    /** Header layer count to write instead of the real one. */
    public NcnnModelWriter withDeclaredLayerCount(int value) {
        this.declaredLayers = value;
        return this;
    }

    public NcnnModelWriter withDeclaredBlobCount(int value) {
        this.declaredBlobs = value;
        return this;
    }

    /** Rewrites the .param text just before it is written. */
    public NcnnModelWriter editParam(UnaryOperator<String> edit) {
        this.paramEdit = edit;
        return this;
    }

    /** Rewrites the .bin bytes just before they are written. */
    public NcnnModelWriter editBin(UnaryOperator<byte[]> edit) {
        this.binEdit = edit;
        return this;
    }

    public NcnnModelWriter truncateBinBy(int bytes) {
        return editBin(b -> Arrays.copyOf(b, Math.max(0, b.length - bytes)));
    }

    public NcnnModelWriter appendToBin(byte... extra) {
        return editBin(b -> {
            byte[] out = Arrays.copyOf(b, b.length + extra.length);
            System.arraycopy(extra, 0, out, b.length, extra.length);
            return out;
        });
    }

    // ---- output ----------------------------------------------------------------------------

    public String paramText() {
        int blobs = 0;
        for (Layer l : layers) blobs += l.tops.size();
        StringBuilder sb = new StringBuilder();
        sb.append(magic).append('\n');
        sb.append(declaredLayers != null ? declaredLayers : layers.size()).append(' ')
                .append(declaredBlobs != null ? declaredBlobs : blobs).append('\n');
        for (Layer l : layers) sb.append(l.line()).append('\n');
        return paramEdit.apply(sb.toString());
    }

    public byte[] binBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Layer l : layers)
            for (Buffer b : l.buffers) out.writeBytes(b.bytes());
        return binEdit.apply(out.toByteArray());
    }

    /** Writes {@code dir/name.param} and {@code dir/name.bin}. */
    public ModelFiles write(Path dir, String name) {
        return writeRaw(dir, name, paramText().getBytes(StandardCharsets.UTF_8), binBytes());
    }

    /** Writes arbitrary bytes as a model pair (either may be null to leave that file absent). */
    public static ModelFiles writeRaw(Path dir, String name, byte[] param, byte[] bin) {
        ModelFiles files = new ModelFiles(dir.resolve(name + ".param"), dir.resolve(name + ".bin"));
        try {
            Files.createDirectories(dir);
            if (param != null) Files.write(files.param(), param);
            if (bin != null) Files.write(files.bin(), bin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** The 1-based line of layer {@code name} in {@link #paramText()} (magic and header are lines 1, 2). */
    public int lineOf(String name) {
        for (int i = 0; i < layers.size(); i++)
            if (layers.get(i).name.equals(name)) return i + 3;
        throw new IllegalArgumentException("no layer " + name);
    }

    // ---- fp16 / bf16 -----------------------------------------------------------------------

    /** IEEE binary16 -> float, from the bit layout (1 sign, 5 exponent bias 15, 10 mantissa). */
    public static float halfToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = h >>> 15, exp = (h >>> 10) & 0x1F, mant = h & 0x3FF;
        double v;
        if (exp == 0) v = mant * Math.pow(2, -24);
        else if (exp == 31) v = mant != 0 ? Double.NaN : Double.POSITIVE_INFINITY;
        else v = (1024 + mant) * Math.pow(2, exp - 25);
        return (float) (sign == 1 ? -v : v);
    }

    /** Float -> nearest IEEE binary16 (ties to even), with subnormals, signed zero and overflow to inf. */
    public static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        if (Float.isNaN(f)) return (short) (sign | 0x7E00);
        float a = Math.abs(f);
        if (a >= 65520f) return (short) (sign | 0x7C00);
        if (a < 0x1p-14f) {
            // subnormal: value = m * 2^-24, round the mantissa to nearest even
            double m = a / 0x1p-24;
            long r = Math.round(m);
            if (Math.abs(m - Math.floor(m) - 0.5) < 1e-12 && (((long) Math.floor(m)) & 1) == 0) r = (long) Math.floor(m);
            return (short) (sign | (int) r);
        }
        int e = Math.getExponent(a);               // 2^e <= a < 2^(e+1), e in -14..15
        double m = a / Math.pow(2, e - 10);        // in [1024, 2048)
        long r = (long) Math.floor(m);
        double frac = m - r;
        if (frac > 0.5 || (frac == 0.5 && (r & 1) == 1)) r++;
        if (r == 2048) {
            r = 1024;
            e++;
        }
        if (e > 15) return (short) (sign | 0x7C00);
        return (short) (sign | ((e + 15) << 10) | (int) (r - 1024));
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    private static void putInt(ByteArrayOutputStream out, int v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    /** Fp16 words given directly (e.g. subnormals, -0): their decoded values go through the loader. */
    public static float[] fromHalves(short... halves) {
        float[] out = new float[halves.length];
        for (int i = 0; i < halves.length; i++) out[i] = halfToFloat(halves[i]);
        return out;
    }

    @Override
    public String toString() {
        return paramText();
    }
}
