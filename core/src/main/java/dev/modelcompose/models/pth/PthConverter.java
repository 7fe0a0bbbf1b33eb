package dev.modelcompose.models.pth;

import dev.modelcompose.models.ModelCache;
import dev.modelcompose.upscale.ModelFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Converts PyTorch {@code .pth} checkpoints of Real-ESRGAN / ESRGAN networks into the ncnn files the
 * runner loads, without Python.
 *
 * <p>Supported: RRDBNet as Real-ESRGAN/BasicSR save it (x2 with pixel-unshuffle, x4, x8 with
 * {@code conv_up3}, any block count), the original ESRGAN layouts ({@code model.N.*} and
 * {@code RRDB_trunk.*}), and SRVGGNetCompact with PReLU (realesr-animevideov3, realesr-general-x4v3);
 * fp32, fp16 and bf16 weights; state dicts under {@code params_ema} (preferred), {@code params}, or at
 * the top level, with or without a {@code module.} prefix. The pickle inside the checkpoint is read
 * by {@link SafeUnpickler}: anything but tensors is refused.
 *
 * <p>Results are cached by the checkpoint's SHA-256:
 * {@code CACHE/<sha256>/model.param}, {@code model.bin} and {@code model.properties} (the detected
 * architecture, written last), where CACHE defaults to {@code $MODEL_COMPOSE_CACHE/converted} or
 * {@code ~/.cache/model-compose/converted}. Files are written under temporary names and renamed
 * when complete, so a crashed or concurrent conversion never leaves a half-written model behind.
 *
 * <pre>{@code
 * ModelFiles files = PthConverter.convert(Path.of("RealESRGAN_x4plus.pth"), null, 4, PthConverter.defaultCacheDir());
 * try (Model model = Model.load(files)) { ... }
 * }</pre>
 */
public final class PthConverter {
    /** Bump when the generated graph changes, so that older cache entries are regenerated. */
    public static final int FORMAT_VERSION = 1;

    private final Path cacheDir;
    private final Consumer<String> log;

    /** The outcome of {@link #convertDetailed}. */
    public record Conversion(ModelFiles files, PthArchitecture architecture, String sha256, boolean fromCache) {}

    public PthConverter(Path cacheDir) {
        this(cacheDir, message -> {});
    }

    public PthConverter(Path cacheDir, Consumer<String> log) {
        this.cacheDir = cacheDir;
        this.log = log;
    }

    /** A converter writing to {@link #defaultCacheDir()}. */
    public static PthConverter standard(Consumer<String> log) {
        return new PthConverter(defaultCacheDir(), log);
    }

    /** {@code $MODEL_COMPOSE_CACHE/converted}, default {@code ~/.cache/model-compose/converted}. */
    public static Path defaultCacheDir() {
        String env = System.getenv("MODEL_COMPOSE_CACHE");
        Path root = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "model-compose");
        return root.resolve("converted");
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /**
     * Converts (or finds in the cache) {@code pth}.
     *
     * @param architectureHint null/auto/real-esrgan to detect; esrgan or rrdbnet for RRDB networks only;
     *                         srvgg-compact for SRVGGNetCompact only
     * @param expectedScale    the scale the caller wants, or null to take the model's own; a mismatch is an error
     */
    public static ModelFiles convert(Path pth, String architectureHint, Integer expectedScale, Path cacheDir) {
        return new PthConverter(cacheDir).convert(pth, architectureHint, expectedScale);
    }

    /** As {@link #convert(Path, String, Integer, Path)} into this converter's cache (fits a {@code (path, architecture, scale)} converter interface). */
    public ModelFiles convert(Path pth, String architectureHint, Integer expectedScale) {
        return convertDetailed(pth, architectureHint, expectedScale).files();
    }

    /** Reads the checkpoint and reports its architecture, without writing anything. */
    public static PthArchitecture detect(Path pth, String architectureHint, Integer expectedScale) {
        try (PthCheckpoint ckpt = PthCheckpoint.open(pth)) {
            return PthNetworks.detect(ckpt, ckpt.stateDict(), architectureHint, expectedScale).architecture();
        }
    }

    /** Converts {@code pth} to the given {@code .param}/{@code .bin} paths (no cache, written in place). */
    public static PthArchitecture writeNcnn(Path pth, String architectureHint, Integer expectedScale, Path param, Path bin) {
        try (PthCheckpoint ckpt = PthCheckpoint.open(pth)) {
            PthNetworks.Network net = PthNetworks.detect(ckpt, ckpt.stateDict(), architectureHint, expectedScale);
            net.graph().write(param, bin);
            return net.architecture();
        } catch (IOException e) {
            throw new PthFormatException("cannot write the converted model " + param + ": " + e.getMessage());
        }
    }

    public Conversion convertDetailed(Path pth, String architectureHint, Integer expectedScale) {
        PthNetworks.Family family = PthNetworks.family(architectureHint); // reject unknown hints before any work
        String sha;
        try {
            sha = ModelCache.sha256(pth);
        } catch (NoSuchFileException e) {
            throw new PthFormatException("PyTorch checkpoint " + pth + " does not exist");
        } catch (IOException e) {
            throw new PthFormatException("cannot read " + pth + ": " + e.getMessage());
        }
        // Only an original-ESRGAN x3 model converts differently with a scale request; keep it apart.
        Path dir = cacheDir.resolve(expectedScale != null && expectedScale == 3 ? sha + "-x3" : sha);
        ModelFiles files = new ModelFiles(dir.resolve("model.param"), dir.resolve("model.bin"));
        Path info = dir.resolve("model.properties");

        PthArchitecture cached = readInfo(info, files);
        if (cached != null) {
            String file = pth.getFileName().toString();
            if (family == PthNetworks.Family.SRVGG && cached.isRrdb() || family == PthNetworks.Family.RRDB && !cached.isRrdb())
                throw new PthFormatException(file + " holds " + cached.describe() + ", not the '" + architectureHint + "' architecture");
            if (expectedScale != null && expectedScale != cached.scale())
                throw new PthFormatException(file + " is a x" + cached.scale() + " model (" + cached.describe() + "), but scale " + expectedScale
                        + " was requested");
            return new Conversion(files, cached, sha, true);
        }

        try (PthCheckpoint ckpt = PthCheckpoint.open(pth)) {
            PthNetworks.Network net = PthNetworks.detect(ckpt, ckpt.stateDict(), architectureHint, expectedScale);
            log.accept("converting " + pth.getFileName() + " (" + net.architecture().describe() + ") to an ncnn model in " + dir);
            Files.createDirectories(dir);
            String tag = "." + UUID.randomUUID() + ".tmp";
            Path paramTmp = dir.resolve("model.param" + tag), binTmp = dir.resolve("model.bin" + tag), infoTmp = dir.resolve("model.properties" + tag);
            try {
                net.graph().write(paramTmp, binTmp);
                writeInfo(infoTmp, net.architecture(), pth, sha);
                Files.move(binTmp, files.bin(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Files.move(paramTmp, files.param(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Files.move(infoTmp, info, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                for (Path p : new Path[] {paramTmp, binTmp, infoTmp}) Files.deleteIfExists(p);
            }
            return new Conversion(files, net.architecture(), sha, false);
        } catch (IOException e) {
            throw new PthFormatException("cannot write the converted model to " + dir + ": " + e.getMessage());
        }
    }

    private static void writeInfo(Path file, PthArchitecture a, Path source, String sha) throws IOException {
        Properties p = new Properties();
        p.setProperty("formatVersion", Integer.toString(FORMAT_VERSION));
        p.setProperty("source", source.getFileName().toString());
        p.setProperty("sha256", sha);
        p.setProperty("name", a.name());
        p.setProperty("keyLayout", a.keyLayout());
        p.setProperty("scale", Integer.toString(a.scale()));
        p.setProperty("blocks", Integer.toString(a.blocks()));
        p.setProperty("numFeat", Integer.toString(a.numFeat()));
        p.setProperty("numGrowCh", Integer.toString(a.numGrowCh()));
        p.setProperty("channels", Integer.toString(a.channels()));
        p.setProperty("pixelUnshuffle", Integer.toString(a.pixelUnshuffle()));
        p.setProperty("precision", a.precision());
        try (OutputStream out = Files.newOutputStream(file)) {
            p.store(out, "converted from a PyTorch checkpoint by model-compose");
        }
    }

    /** The cached entry's architecture, or null when the entry is absent, incomplete or from another format version. */
    private static PthArchitecture readInfo(Path info, ModelFiles files) {
        if (!Files.isRegularFile(info) || !Files.isRegularFile(files.param()) || !Files.isRegularFile(files.bin())) return null;
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(info)) {
            p.load(in);
            if (!Integer.toString(FORMAT_VERSION).equals(p.getProperty("formatVersion"))) return null;
            Map<String, String> m = new java.util.HashMap<>();
            for (String k : p.stringPropertyNames()) m.put(k, p.getProperty(k));
            return new PthArchitecture(m.get("name"), m.get("keyLayout"), Integer.parseInt(m.get("scale")), Integer.parseInt(m.get("blocks")),
                    Integer.parseInt(m.get("numFeat")), Integer.parseInt(m.get("numGrowCh")), Integer.parseInt(m.get("channels")),
                    Integer.parseInt(m.get("pixelUnshuffle")), m.get("precision"));
        } catch (IOException | RuntimeException e) {
            return null; // unreadable: convert again
        }
    }
}
