package dev.modelcompose.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.testing.NcnnModelWriter;
import dev.modelcompose.testing.NcnnModelWriter.Tag;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broken model files must fail {@link Model#load} with a {@link ModelLoadException} whose message
 * names the file and where in it the problem is (line, layer or byte offset), and must never take the
 * JVM down: the class finishes, and a valid model still runs afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MalformedModelTest {

    @TempDir
    static Path dir;

    /**
     * The base model: Input -> conv1 (3->4, 3x3, fp16, bias) -> PReLU -> conv2 (4->3, 3x3, fp32, bias).
     * Lines: 1 magic, 2 counts, 3 input, 4 conv1, 5 prelu, 6 conv2. Bin: conv1 tag @0, halves @4 (216 B),
     * bias @220 (16 B), slopes @236 (16 B), conv2 tag @252, weights @256 (432 B), bias @688 (12 B); 700 B.
     */
    static NcnnModelWriter valid() {
        Random r = new Random(1);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data");
        m.conv("conv1", "data", "c1", 4, 3, 3).put(4, 1).put(5, 1).tagged(Tag.FP16, floats(r, 108)).untagged(floats(r, 4));
        m.layer("PReLU", "prelu1", "c1", "p1").put(0, 4).untagged(floats(r, 4));
        m.conv("conv2", "p1", "output", 3, 4, 3).put(4, 1).put(5, 1).tagged(Tag.FP32, floats(r, 108)).untagged(floats(r, 3));
        return m;
    }

    static float[] floats(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() - 0.5);
        return v;
    }

    /** A broken model: how to write it, and the words its error must contain besides the file name. */
    record Case(String name, Function<Path, ModelFiles> write, boolean binFile, List<String> anyLocation) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case param(String name, Function<NcnnModelWriter, NcnnModelWriter> edit, String... anyLocation) {
        return new Case(name, d -> edit.apply(valid()).write(d, slug(name)), false, List.of(anyLocation));
    }

    static Case bin(String name, Function<NcnnModelWriter, NcnnModelWriter> edit, String... anyLocation) {
        return new Case(name, d -> edit.apply(valid()).write(d, slug(name)), true, List.of(anyLocation));
    }

    static Case raw(String name, byte[] param, byte[] bin, boolean binFile, String... anyLocation) {
        return new Case(name, d -> NcnnModelWriter.writeRaw(d, slug(name), param, bin), binFile, List.of(anyLocation));
    }

    static String slug(String name) {
        return name.replaceAll("[^A-Za-z0-9]+", "-");
    }

    static byte[] garbage(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static Stream<Case> cases() {
        byte[] goodParam = valid().paramText().getBytes(StandardCharsets.UTF_8);
        byte[] goodBin = valid().binBytes();
        return Stream.of(
                param("bad magic", m -> m.withMagic(7767516), "7767517", "line 1", ":1"),
                param("old magic 7767517 missing, header first", m -> m.editParam(t -> t.substring(t.indexOf('\n') + 1)), "7767517"),
                param("truncated param: header declares more layers", m -> m.withDeclaredLayerCount(6), "declares 6 layers", "ends after 4"),
                param("truncated param: file cut mid-line", m -> m.editParam(t -> t.substring(0, t.lastIndexOf("5=1") + 2)), ":6", "line 6",
                        "conv2"),
                param("header declares fewer layers than the file has", m -> m.withDeclaredLayerCount(3), ":6", "line 6"),
                param("blob count mismatch", m -> m.withDeclaredBlobCount(9), "9 blobs", "declares 9"),
                param("non-numeric header", m -> m.editParam(t -> t.replaceFirst("\n4 4\n", "\nfour 4\n")), ":2", "line 2"),
                bin("truncated bin", m -> m.truncateBinBy(6), "offset 688", "conv2"),
                bin("bin cut inside the fp16 weights", m -> m.editBin(b -> Arrays.copyOf(b, 100)), "offset 4", "conv1"),
                bin("extra trailing bytes in bin", m -> m.appendToBin(new byte[] {1, 2, 3, 4}), "4 bytes", "offset 700", "after the last layer"),
                param("unknown op type", m -> {
                    m.layer("Deconvolution", "deconv", "output", "out2").put(0, 3);
                    return m;
                }, ":7", "line 7", "deconv"),
                bin("unknown weight tag", m -> m.editBin(b -> {
                    b[252] = 0x12;
                    b[253] = 0x34;
                    return b;
                }), "offset 252", "conv2"),
                bin("int8 weight tag", m -> m.editBin(b -> {
                    b[252] = 0x38;
                    b[253] = 0x4B;
                    b[254] = 0x0D;
                    b[255] = 0x00;
                    return b;
                }), "offset 252", "conv2"),
                bin("int8_scale_term set but the scales are missing", m -> {
                    m.layers().get(3).put(8, 1);
                    return m;
                }, "conv2", "int8 weight scales"),
                bin("non-finite fp32 weight", m -> m.editBin(b -> {
                    int nan = Float.floatToRawIntBits(Float.NaN);
                    for (int i = 0; i < 4; i++) b[256 + 8 + i] = (byte) (nan >>> (8 * i));
                    return b;
                }), "conv2", "element 2"),
                new Case("NaN bias (untagged, so the reader cannot see it)", d -> {
                    Random r = new Random(4);
                    NcnnModelWriter m = new NcnnModelWriter();
                    m.input("data");
                    float[] bias = {0.1f, Float.NaN, 0.2f};
                    m.conv("conv1", "data", "output", 3, 3, 3).put(4, 1).put(5, 1).tagged(Tag.FP32, floats(r, 81)).untagged(bias);
                    return m.write(d, "nan-bias");
                }, true, List.of("conv1' (Convolution", "bias value 1 is NaN")),
                new Case("infinite PReLU slope", d -> {
                    Random r = new Random(5);
                    NcnnModelWriter m = new NcnnModelWriter();
                    m.input("data");
                    m.conv("conv1", "data", "c1", 3, 3, 3).put(4, 1).tagged(Tag.FP32, floats(r, 81));
                    m.layer("PReLU", "prelu1", "c1", "output").put(0, 3).untagged(new float[] {0.1f, Float.POSITIVE_INFINITY, 0.1f});
                    return m.write(d, "inf-slope");
                }, true, List.of("prelu1", "slope value 1 is infinite")),
                new Case("channel mismatch between consecutive convs", d -> {
                    Random r = new Random(2);
                    NcnnModelWriter m = new NcnnModelWriter();
                    m.input("data");
                    m.conv("conv1", "data", "c1", 4, 3, 3).put(4, 1).tagged(Tag.FP32, floats(r, 108));
                    m.conv("conv2", "c1", "output", 3, 5, 3).put(4, 1).tagged(Tag.FP16, floats(r, 135));
                    return m.write(d, "channel-mismatch");
                }, false, List.of(":5", "line 5")),
                param("weight_data_size not a multiple of num_output*k*k", m -> {
                    m.layers().get(3).put(6, 100);
                    return m;
                }, ":6", "line 6", "conv2"),
                param("blob used before produced", m -> m.editParam(t -> t.replace(" c1 p1 ", " c9 p1 ")), ":5", "line 5", "'c9'"),
                param("layers out of order", m -> m.editParam(t -> {
                    String[] lines = t.split("\n");
                    String tmp = lines[3];
                    lines[3] = lines[4];
                    lines[4] = tmp;
                    return String.join("\n", lines) + "\n";
                }), ":4", "line 4", "prelu1"),
                param("duplicate blob producer", m -> m.editParam(t -> t.replace(" p1 output ", " p1 c1 ")),
                        ":6", "line 6", "'c1'"),
                param("duplicate layer name", m -> m.editParam(t -> t.replace("prelu1", "conv1")), ":5", "line 5", "conv1"),
                param("no Input layer", m -> m.editParam(t -> t.replaceFirst("Input +input\\.1 +0 1 data", "Split pre 0 1 data")),
                        "Input", "line 3"),
                param("two Input layers", m -> {
                    m.layer("Input", "input.2", List.of(), List.of("data2"));
                    return m;
                }, "Input", "input.2", ":7"),
                param("two unconsumed blobs, none named output", m -> {
                    m.split("extra", "output", "o1", "o2");
                    return m;
                }, "'o1'", "'o2'"),
                param("non-numeric param value", m -> {
                    m.layers().get(1).rawParam("14=abc");
                    return m;
                }, ":4", "line 4", "conv1"),
                param("float text in a param value with junk", m -> {
                    m.layers().get(1).rawParam("18=1.5x");
                    return m;
                }, ":4", "line 4", "conv1"),
                param("param id out of range", m -> {
                    m.layers().get(1).rawParam("40=1");
                    return m;
                }, ":4", "line 4", "conv1"),
                param("param without '='", m -> {
                    m.layers().get(1).rawParam("5");
                    return m;
                }, ":4", "line 4", "conv1"),
                param("array param with wrong count", m -> {
                    m.layers().get(1).rawParam("-23310=3,0.1,0.2");
                    return m;
                }, ":4", "line 4", "conv1"),
                param("array param with a non-numeric element", m -> {
                    m.layers().get(1).rawParam("-23310=2,0.1,x");
                    return m;
                }, ":4", "line 4", "conv1"),
                param("layer line with too few tokens", m -> m.editParam(t -> t.replaceFirst("PReLU +prelu1 .*\n", "PReLU prelu1 1\n")),
                        ":5", "line 5"),
                param("unknown activation type", m -> {
                    m.layers().get(1).put(9, 7);
                    return m;
                }, ":4", "line 4", "conv1"),
                param("PReLU slope count does not match channels", m -> {
                    m.layers().get(2).put(0, 5).untagged(new float[1]);
                    return m;
                }, ":5", "line 5", "prelu1"),
                param("a downscaling model", m -> {
                    m.layer("Interp", "down", "output", "half").put(0, 2).put(1, 0.5).put(2, 0.5);
                    return m;
                }, "integer upscale"),
                raw("missing .param", null, goodBin, false),
                raw("missing .bin", goodParam, null, true),
                raw("empty .param", new byte[0], goodBin, false, "7767517"),
                raw("empty .bin", goodParam, new byte[0], true, "offset 0", "conv1"),
                raw("garbage .param", garbage(3000, 7), goodBin, false, "7767517"),
                raw("garbage text .param", "hello world\nthis is not a model\n".getBytes(StandardCharsets.UTF_8), goodBin, false, "7767517"),
                raw("garbage .bin of the right size", goodParam, garbage(goodBin.length, 8), true, "offset 0", "conv1"),
                raw("swapped files (.bin given as .param)", goodBin, goodParam, false, "7767517"),
                raw("UTF-16 .param", valid().paramText().getBytes(StandardCharsets.UTF_16), goodBin, false, "7767517"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Order(1)
    void rejectedWithAMessageNamingFileAndPlace(Case c) {
        ModelFiles files = c.write().apply(dir.resolve(slug(c.name())));
        String file = (c.binFile() ? files.bin() : files.param()).getFileName().toString();
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> {
            try (Model u = Model.load(files)) {
                u.scale();
            }
        });
        String message = e.getMessage();
        assertTrue(message.contains(file), () -> "message should name " + file + ": " + message);
        if (!c.anyLocation().isEmpty())
            assertTrue(c.anyLocation().stream().anyMatch(message::contains),
                    () -> "message should say where (one of " + c.anyLocation() + "): " + message);
        assertTrue(message.length() < 1000, () -> "message is too long: " + message);
    }

    @Test
    @Order(2)
    void aDirectoryInsteadOfTheParamFile() throws Exception {
        Path d = dir.resolve("dir-as-file");
        Files.createDirectories(d.resolve("model.param"));
        Files.write(d.resolve("model.bin"), valid().binBytes());
        ModelFiles files = new ModelFiles(d.resolve("model.param"), d.resolve("model.bin"));
        UpscaleException e = assertThrows(UpscaleException.class, () -> Model.load(files).close());
        assertTrue(e.getMessage().contains("model.param"), e::getMessage);
    }

    @Test
    @Order(3)
    void theBaseModelIsValid() {
        assertValidModelRuns("base");
    }

    @Test
    @Order(4)
    void forwardWithTheWrongChannelCountIsAnError() {
        try (Model u = Model.load(valid().write(dir, "channels"))) {
            UpscaleException e = assertThrows(UpscaleException.class, () -> u.forward(new Activation(4, 8, 8)));
            assertTrue(e.getMessage().contains("3") && e.getMessage().contains("4"), e::getMessage);
            assertEquals(3, u.forward(new Activation(3, 8, 8)).channels());
        }
    }

    @Test
    @Order(5)
    void aClosedModelRefusesWork() {
        Model u = Model.load(valid().write(dir, "closed"));
        u.close();
        u.close();
        assertThrows(IllegalStateException.class, u::scale);
        RuntimeException e = assertThrows(RuntimeException.class, () -> u.forward(new Activation(3, 8, 8)));
        assertTrue(e.getMessage().contains("closed"), e::getMessage);
    }

    @Test
    @Order(100)
    void theNativeRunnerStillWorksAfterAllTheFailures() {
        assertValidModelRuns("after");
    }

    @AfterAll
    static void jvmIsAliveAndNativeSideWorks() {
        assertValidModelRuns("after-all");
    }

    static void assertValidModelRuns(String name) {
        NcnnModelWriter m = valid();
        Activation in = new Activation(3, 9, 7);
        Random r = new Random(3);
        for (int i = 0; i < in.data().length; i++) in.data()[i] = (float) r.nextDouble();
        try (Model u = Model.load(m.write(dir, name))) {
            assertEquals(1, u.scale());
            dev.modelcompose.testing.OpModels.assertClose(dev.modelcompose.testing.ReferenceOps.forward(m, in), u.forward(in), 1e-4, false, "expected", "got", m);
        }
    }
}
