package dev.modelcompose.models.pth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelcompose.models.ModelCache;
import dev.modelcompose.models.ModelProvisioner;
import dev.modelcompose.models.ModelResolver;
import dev.modelcompose.testing.TestAssets;
import dev.modelcompose.upscale.Activation;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.PixelBuffer;
import dev.modelcompose.upscale.UpscaleOptions;
import dev.modelcompose.upscale.Model;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checkpoints written by real PyTorch ({@code src/test/resources/pth/make_checkpoints.py}, seeded
 * random weights), converted by {@link PthConverter} and run by our CPU upscaler, against PyTorch's
 * own forward pass on the same image.
 *
 * <p>What makes the two comparable: the upscaler runs with pre-pad 0 and a single tile, so the
 * network sees exactly the image, with the same zero padding at its borders that PyTorch's
 * convolutions use; PyTorch's float output is clamped to [0, 1] and scaled to 0..255, our output is
 * 8-bit (round half up), so rounding alone costs about 59 dB of PSNR.
 */
@Tag("pytorch")
class PthConverterTest {
    static final String PYTHON = "/usr/bin/python3";
    static final double MIN_PSNR = 50.0;

    @TempDir
    static Path shared;

    static Path gen;
    static JsonNode manifest;
    static Map<String, JsonNode> cases = new HashMap<>();

    @TempDir
    Path cache;

    @BeforeAll
    static void generate() throws Exception {
        gen = shared.resolve("gen");
        Path script = shared.resolve("make_checkpoints.py");
        try (InputStream in = PthConverterTest.class.getResourceAsStream("/pth/make_checkpoints.py")) {
            Files.copy(in, script);
        }
        List<String> cmd = new java.util.ArrayList<>(List.of(PYTHON, script.toString(), gen.toString()));
        cmd.addAll(List.of("rrdb_x4_small", "rrdb_x4_full", "rrdb_x2", "rrdb_x8", "rrdb_x1", "rrdb_anime_6b", "esrgan_old_x4", "esrgan_old_x3",
                "esrgan_trunk_x4",
                "srvgg_x4", "srvgg_x2", "rrdb_x4_fp16", "srvgg_x4_bf16", "rrdb_x4_views", "hostile"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("make_checkpoints.py did not finish in 180 s");
        }
        if (p.exitValue() != 0)
            throw new AssertionError("make_checkpoints.py failed (needs Debian's python3-torch at " + PYTHON + "):\n" + out);
        manifest = new ObjectMapper().readTree(gen.resolve("manifest.json").toFile());
        for (JsonNode c : manifest.get("cases")) cases.put(c.get("name").asText(), c);
    }

    // ---- parity with PyTorch --------------------------------------------------------------------

    @ParameterizedTest(name = "{0}: {1} x{2}, {3} blocks, {4}")
    @CsvSource({
        "rrdb_x4_small,   RRDBNet,         4, 2,  fp32",
        "rrdb_x4_full,    RRDBNet,         4, 23, fp32",
        "rrdb_x2,         RRDBNet,         2, 2,  fp32",
        "rrdb_x8,         RRDBNet,         8, 1,  fp32",
        "rrdb_x1,         RRDBNet,         1, 1,  fp32",
        "rrdb_anime_6b,   RRDBNet,         4, 6,  fp32",
        "esrgan_old_x4,   ESRGAN,          4, 2,  fp32",
        "esrgan_old_x3,   ESRGAN,          3, 1,  fp32",
        "esrgan_trunk_x4, ESRGAN,          4, 2,  fp32",
        "srvgg_x4,        SRVGGNetCompact, 4, 4,  fp32",
        "srvgg_x2,        SRVGGNetCompact, 2, 3,  fp32",
        "rrdb_x4_fp16,    RRDBNet,         4, 2,  fp16",
        "srvgg_x4_bf16,   SRVGGNetCompact, 4, 2,  bf16",
        "rrdb_x4_views,   RRDBNet,         4, 1,  fp32",
    })
    void matchesPyTorch(String name, String arch, int scale, int blocks, String precision) throws Exception {
        JsonNode c = cases.get(name);
        Path pth = gen.resolve(name + ".pth");
        // The weights cannot tell an original-ESRGAN x3 model from x2: it needs the scale requested.
        Integer requested = scale == 3 ? 3 : null;
        PthConverter.Conversion conv = new PthConverter(cache).convertDetailed(pth, null, requested);
        PthArchitecture a = conv.architecture();
        assertEquals(arch, a.name(), a.describe());
        assertEquals(scale, a.scale(), a.describe());
        assertEquals(blocks, a.blocks(), a.describe());
        assertEquals(precision, a.precision(), a.describe());
        assertEquals(name.equals("rrdb_x2") ? 2 : name.equals("rrdb_x1") ? 4 : 1, a.pixelUnshuffle(), a.describe());

        int w = c.get("width").asInt(), h = c.get("height").asInt();
        PixelBuffer image = new PixelBuffer(w, h, 3, Files.readAllBytes(gen.resolve(name + ".in.u8")));
        float[] ref = readFloats(gen.resolve(name + ".ref.f32"));
        int ow = w * scale, oh = h * scale;
        assertEquals(3L * ow * oh, ref.length);

        UpscaleOptions options = UpscaleOptions.defaults().withPrePad(0).withThreads(2);
        PixelBuffer ours;
        Activation forward;
        try (Model u = Model.load(conv.files())) {
            assertEquals(scale, u.scale());
            assertEquals(1, u.plannedTileCount(w, h, options), "one tile, so that borders are the network's zero padding as in PyTorch");
            ours = u.upscale(image, options);
            forward = u.forward(toActivation(image));
        }
        assertEquals(ow, ours.width());
        assertEquals(oh, ours.height());

        // 8-bit output against PyTorch's clamped float output
        double se = 0;
        int maxLevels = 0;
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
                for (int ch = 0; ch < 3; ch++) {
                    double r = Math.min(Math.max(ref[(ch * oh + y) * ow + x], 0f), 1f) * 255.0;
                    int o = ours.pixels()[(y * ow + x) * 3 + ch] & 0xFF;
                    se += (o - r) * (o - r);
                    maxLevels = Math.max(maxLevels, Math.abs(o - (int) Math.floor(r + 0.5)));
                }
        double psnr8 = psnr(se / ref.length, 255.0);

        // the float network output, unclamped
        double fse = 0, fmax = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = forward.data()[i] - ref[i];
            fse += d * d;
            fmax = Math.max(fmax, Math.abs(d));
        }
        double psnrF = psnr(fse / ref.length, 1.0);
        System.out.printf(Locale.ROOT, "pth parity %-16s %s: 8-bit PSNR %.1f dB (max %d levels vs rounded reference), "
                + "float PSNR %.1f dB (max |diff| %.2e)%n", name, a.describe(), psnr8, maxLevels, psnrF, fmax);
        assertTrue(psnr8 >= MIN_PSNR, name + ": 8-bit PSNR " + psnr8 + " dB < " + MIN_PSNR);
        assertTrue(psnrF >= 60, name + ": float PSNR " + psnrF + " dB < 60");
        assertTrue(maxLevels <= 2, name + ": max difference " + maxLevels + " levels");
    }

    /**
     * The published ncnn models, read back into PyTorch state dicts with BasicSR key names
     * ({@code bench/torch_esrgan.py}) and converted again: the same graph (layer types, in order) and
     * the same weights, so the same pixels as the published files.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"realesrgan-x4plus-anime, RRDBNet, 6", "realesr-animevideov3-x4, SRVGGNetCompact, 16"})
    void roundTripsPublishedModels(String model, String arch, int blocks) throws Exception {
        ModelFiles official = TestAssets.model(model);
        Path pth = publishedAsPth().resolve(model + ".pth");
        PthConverter.Conversion conv = new PthConverter(cache).convertDetailed(pth, null, 4);
        assertEquals(arch, conv.architecture().name());
        assertEquals(blocks, conv.architecture().blocks());
        assertEquals(layerTypes(official.param()), layerTypes(conv.files().param()));

        PixelBuffer image = new PixelBuffer(14, 10, 3, randomBytes(14 * 10 * 3, 5));
        UpscaleOptions options = UpscaleOptions.defaults().withThreads(2).withPrePad(4);
        PixelBuffer a, b;
        try (Model u = Model.load(official)) {
            a = u.upscale(image, options);
        }
        try (Model u = Model.load(conv.files())) {
            b = u.upscale(image, options);
        }
        int max = 0;
        for (int i = 0; i < a.pixels().length; i++) max = Math.max(max, Math.abs((a.pixels()[i] & 0xFF) - (b.pixels()[i] & 0xFF)));
        System.out.println("pth round trip " + model + ": max difference to the published ncnn model " + max + " levels");
        assertEquals(0, max, "converted and published models must give the same pixels");
    }

    private static Path published;

    /** Both published models as .pth, made by one Python run on first use. */
    private static synchronized Path publishedAsPth() throws Exception {
        if (published != null) return published;
        Path dir = Files.createDirectories(shared.resolve("published"));
        List<String> cmd = new java.util.ArrayList<>(List.of(PYTHON, shared.resolve("make_checkpoints.py").toString(), "from-ncnn",
                TestAssets.repoRoot().resolve("bench/torch_esrgan.py").toString(), dir.toString()));
        for (String m : List.of("realesrgan-x4plus-anime", "realesr-animevideov3-x4")) cmd.add(TestAssets.model(m).param().toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "from-ncnn failed:\n" + out);
        published = dir;
        return dir;
    }

    private static List<String> layerTypes(Path param) throws IOException {
        List<String> lines = Files.readAllLines(param);
        return lines.subList(1, lines.size()).stream().map(l -> l.trim().split("\\s+")[0]).toList();
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    // ---- cache, hints and scale ----------------------------------------------------------------

    @Test
    void cachesBySha256() throws Exception {
        Path pth = gen.resolve("srvgg_x2.pth");
        PthConverter converter = new PthConverter(cache);
        PthConverter.Conversion first = converter.convertDetailed(pth, "srvgg-compact", 2);
        assertFalse(first.fromCache());
        assertEquals(ModelCache.sha256(pth), first.sha256());
        assertEquals(cache.resolve(first.sha256()).resolve("model.param"), first.files().param());
        long binSize = Files.size(first.files().bin());
        PthConverter.Conversion second = converter.convertDetailed(pth, "real-esrgan", null);
        assertTrue(second.fromCache());
        assertEquals(first.files(), second.files());
        assertEquals(first.architecture(), second.architecture());
        assertEquals(binSize, Files.size(second.files().bin()));
        try (Stream<Path> files = Files.list(cache.resolve(first.sha256()))) {
            assertEquals(List.of("model.bin", "model.param", "model.properties"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        // 5 convolutions (tag + fp32 weights + fp32 bias) and 4 PReLUs (16 untagged slopes each):
        // 5·4 + 4·(432 + 3·2304 + 1728) + 4·(4·16 + 12) + 4·4·16
        assertEquals(36868, binSize);
        String param = Files.readString(first.files().param());
        assertTrue(param.startsWith("7767517\n"), param);
        assertTrue(param.contains("PixelShuffle") && param.contains("PReLU") && param.contains("Interp"), param);

        // a cached entry still checks the requested scale and architecture
        PthFormatException e = assertThrows(PthFormatException.class, () -> converter.convert(pth, null, 4));
        assertTrue(e.getMessage().contains("x2") && e.getMessage().contains("scale 4"), e.getMessage());
        e = assertThrows(PthFormatException.class, () -> converter.convert(pth, "esrgan", null));
        assertTrue(e.getMessage().contains("SRVGGNetCompact"), e.getMessage());
    }

    @Test
    void wrongScaleIsRefused() {
        Path pth = gen.resolve("rrdb_x4_small.pth");
        PthFormatException e = assertThrows(PthFormatException.class, () -> PthConverter.convert(pth, null, 2, cache));
        assertTrue(e.getMessage().contains("is a x4 model") && e.getMessage().contains("scale 2 was requested"), e.getMessage());
        e = assertThrows(PthFormatException.class, () -> PthConverter.convert(gen.resolve("rrdb_x2.pth"), "esrgan", 4, cache));
        assertTrue(e.getMessage().contains("is a x2 model"), e.getMessage());
        e = assertThrows(PthFormatException.class, () -> PthConverter.convert(pth, "srvgg-compact", null, cache));
        assertTrue(e.getMessage().contains("not SRVGGNetCompact"), e.getMessage());
        e = assertThrows(PthFormatException.class, () -> PthConverter.convert(pth, "swinir", null, cache));
        assertTrue(e.getMessage().contains("unknown architecture 'swinir'"), e.getMessage());
        assertEquals(0, count(cache), "nothing is written for a refused conversion");
    }

    @Test
    void detectsWithoutWriting() {
        PthArchitecture a = PthConverter.detect(gen.resolve("rrdb_x4_full.pth"), "esrgan", 4);
        assertEquals(new PthArchitecture("RRDBNet", "real-esrgan", 4, 23, 64, 32, 3, 1, "fp32"), a);
        assertEquals("RRDBNet x4, 23 blocks, 64 features, growth 32, fp32 weights", a.describe());
        assertEquals("esrgan-old", PthConverter.detect(gen.resolve("esrgan_old_x4.pth"), null, null).keyLayout());
    }

    @Test
    void provisionerConvertsPthPaths() {
        ModelProvisioner provisioner = new ModelProvisioner(ModelResolver.standard(m -> {})).withConverter(new PthConverter(cache)::convert);
        Path pth = gen.resolve("srvgg_x4.pth");
        ModelFiles files = provisioner.provision(pth.toString(), "real-esrgan", 4);
        assertTrue(files.param().startsWith(cache), files.toString());
        assertTrue(Files.isRegularFile(files.bin()));
        ModelFiles again = provisioner.provision(Map.of("provider", "local", "path", pth.toString()), null, null);
        assertEquals(files, again);
        assertThrows(PthFormatException.class, () -> provisioner.provision(pth.toString(), null, 2));
    }

    // ---- hostile and broken files ----------------------------------------------------------------

    // Protocol-2 pickles name builtins.eval __builtin__.eval and os.system posix.system.
    @ParameterizedTest
    @ValueSource(strings = {"evil_os_system:posix.system", "evil_eval:__builtin__.eval", "evil_class:__main__.Payload",
        "evil_stack_global:posix.system"})
    void refusesCheckpointsThatRunCode(String spec) {
        String name = spec.split(":")[0], culprit = spec.split(":")[1];
        Path pth = gen.resolve(name + ".pth");
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> PthConverter.convert(pth, null, null, cache));
        System.out.println("pth hostile " + name + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("refusing to load " + name + ".pth"), e.getMessage());
        assertTrue(e.getMessage().contains("python class " + culprit), e.getMessage());
        assertTrue(e.getMessage().contains("only tensors are allowed"), e.getMessage());
        assertFalse(Files.exists(gen.resolve("PWNED")), "the payload must never run");
        assertEquals(0, count(cache));
    }

    @Test
    void refusesLegacyFormat() {
        PthFormatException e = assertThrows(PthFormatException.class, () -> PthConverter.convert(gen.resolve("legacy.pth"), null, null, cache));
        assertTrue(e.getMessage().contains("legacy (pre-1.6, non-zip)"), e.getMessage());
    }

    @Test
    void refusesTruncatedArchive() throws Exception {
        byte[] full = Files.readAllBytes(gen.resolve("rrdb_x4_small.pth"));
        for (int keep : new int[] {full.length / 2, full.length - 30}) {
            Path cut = cache.resolve("cut-" + keep + ".pth");
            Files.write(cut, Arrays.copyOf(full, keep));
            PthFormatException e = assertThrows(PthFormatException.class, () -> PthConverter.detect(cut, null, null));
            assertTrue(e.getMessage().contains("damaged or truncated"), e.getMessage());
        }
    }

    @Test
    void refusesMissingStorage() throws Exception {
        Path src = gen.resolve("rrdb_x4_small.pth"), broken = cache.resolve("broken.pth");
        try (ZipFile in = new ZipFile(src.toFile()); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(broken))) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                if (e.getName().equals("rrdb_x4_small/data/3")) continue;
                out.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream data = in.getInputStream(e)) {
                    data.transferTo(out);
                }
            }
        }
        PthFormatException e = assertThrows(PthFormatException.class, () -> PthConverter.convert(broken, null, null, cache.resolve("c")));
        assertTrue(e.getMessage().contains("incomplete") && e.getMessage().contains("rrdb_x4_small/data/3"), e.getMessage());
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static long count(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double psnr(double mse, double peak) {
        return mse == 0 ? 200 : 10 * Math.log10(peak * peak / mse);
    }

    private static float[] readFloats(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    private static Activation toActivation(PixelBuffer image) {
        Activation a = new Activation(3, image.height(), image.width());
        for (int y = 0; y < image.height(); y++)
            for (int x = 0; x < image.width(); x++)
                for (int c = 0; c < 3; c++) a.set(c, y, x, (image.pixels()[(y * image.width() + x) * 3 + c] & 0xFF) / 255f);
        return a;
    }
}
