package dev.modelcompose.models.pth;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A PyTorch checkpoint in the zip format of {@code torch.save} (PyTorch 1.6 and later):
 * {@code DIR/data.pkl}, a pickle whose persistent ids name storages, and {@code DIR/data/KEY}, each
 * storage's raw bytes (little-endian unless {@code DIR/byteorder} says {@code big}). {@code DIR} is
 * whatever name the file was saved under.
 *
 * <p>Reading never runs Python: the pickle goes through {@link SafeUnpickler}. Tensor bytes are read
 * on demand by {@link #floats(TorchTensor)}.
 */
public final class PthCheckpoint implements Closeable {
    static final long MAX_TENSOR_ELEMENTS = 1L << 28;
    private final Path path;
    private final ZipFile zip;
    private final String prefix;
    private final ByteOrder order;
    private final Object root;
    private final Map<String, TorchStorage> storages;
    // The storage read last: views of one shared storage should not read it again for every tensor.
    private String cachedKey;
    private byte[] cachedBytes;

    private PthCheckpoint(Path path, ZipFile zip, String prefix, ByteOrder order, Object root, Map<String, TorchStorage> storages) {
        this.path = path;
        this.zip = zip;
        this.prefix = prefix;
        this.order = order;
        this.root = root;
        this.storages = storages;
    }

    /** Opens and parses the checkpoint; checks that every storage it names is present and large enough. */
    public static PthCheckpoint open(Path path) {
        String name = path.getFileName().toString();
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(path)) {
            int n = in.readNBytes(head, 0, 4);
            if (n < 4) throw new PthFormatException(name + " is not a PyTorch checkpoint: the file has only " + n + " bytes");
        } catch (NoSuchFileException e) {
            throw new PthFormatException("PyTorch checkpoint " + path + " does not exist");
        } catch (IOException e) {
            throw new PthFormatException("cannot read " + path + ": " + e.getMessage());
        }
        if (!(head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4)) {
            if ((head[0] & 0xFF) == 0x80 && head[1] >= 2 && head[1] <= 5)
                throw new PthFormatException(name + " uses PyTorch's legacy (pre-1.6, non-zip) checkpoint format, which is not supported; "
                        + "re-save it with a current PyTorch: torch.save(torch.load('" + name + "'), 'new.pth')");
            throw new PthFormatException(name + " is not a PyTorch checkpoint (expected a zip archive written by torch.save)");
        }
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (ZipException e) {
            throw new PthFormatException(name + " is damaged or truncated: its zip archive cannot be read (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new PthFormatException("cannot read " + path + ": " + e.getMessage());
        }
        try {
            return read(path, zip);
        } catch (RuntimeException | IOException e) {
            try {
                zip.close();
            } catch (IOException ignored) {
                // the original error matters
            }
            if (e instanceof PthFormatException p) throw p;
            throw new PthFormatException(name + " is damaged or truncated: " + e.getMessage());
        }
    }

    private static PthCheckpoint read(Path path, ZipFile zip) throws IOException {
        String name = path.getFileName().toString();
        List<String> pickles = new ArrayList<>();
        boolean torchScript = false;
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
            String entry = e.nextElement().getName();
            int slash = entry.indexOf('/');
            if (slash > 0 && entry.substring(slash + 1).equals("data.pkl")) pickles.add(entry);
            if (slash > 0 && entry.substring(slash + 1).startsWith("code/")) torchScript = true;
        }
        if (torchScript)
            throw new PthFormatException(name + " is a TorchScript archive (torch.jit.save), not a state dict; save model.state_dict() with torch.save instead");
        if (pickles.size() != 1)
            throw new PthFormatException(name + " is a zip archive but not a PyTorch checkpoint: expected one DIR/data.pkl, found "
                    + (pickles.isEmpty() ? "none" : pickles));
        String prefix = pickles.get(0).substring(0, pickles.get(0).length() - "data.pkl".length());
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        ZipEntry byteorder = zip.getEntry(prefix + "byteorder");
        if (byteorder != null) {
            String text = new String(readEntry(zip, byteorder, 16), StandardCharsets.US_ASCII).trim();
            if (text.equals("big")) order = ByteOrder.BIG_ENDIAN;
            else if (!text.equals("little")) throw new PthFormatException(name + ": unknown byte order '" + text + "'");
        }
        byte[] pickle = readEntry(zip, zip.getEntry(pickles.get(0)), 256L << 20);
        SafeUnpickler.Result result = SafeUnpickler.loadWithStorages(pickle, name + " (" + pickles.get(0) + ")");
        for (TorchStorage s : result.storages().values()) {
            ZipEntry entry = zip.getEntry(prefix + "data/" + s.key());
            if (entry == null)
                throw new PthFormatException(name + " is incomplete: storage " + prefix + "data/" + s.key() + " (" + s.numel() + " "
                        + s.dtype().label() + " values) is missing from the archive");
            if (entry.getSize() >= 0 && entry.getSize() < s.byteSize())
                throw new PthFormatException(name + " is damaged: storage " + prefix + "data/" + s.key() + " holds " + entry.getSize()
                        + " bytes, but " + s.byteSize() + " are needed");
        }
        return new PthCheckpoint(path, zip, prefix, order, result.root(), new LinkedHashMap<>(result.storages()));
    }

    private static byte[] readEntry(ZipFile zip, ZipEntry entry, long limit) throws IOException {
        if (entry.getSize() > limit) throw new PthFormatException(entry.getName() + " is too large (" + entry.getSize() + " bytes)");
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 16));
            if (entry.getSize() >= 0 && bytes.length != entry.getSize())
                throw new PthFormatException(entry.getName() + " is truncated: " + bytes.length + " of " + entry.getSize() + " bytes");
            return bytes;
        }
    }

    public Path path() {
        return path;
    }

    /** The unpickled object: usually a dict of tensors, or a dict holding one. */
    public Object root() {
        return root;
    }

    public Map<String, TorchStorage> storages() {
        return Map.copyOf(storages);
    }

    /**
     * The state dict inside the checkpoint: {@code params_ema} if present, else {@code params}, else
     * {@code state_dict}/{@code model}/{@code net_g} when that is the only dict of tensors, else the
     * root itself. A {@code module.} prefix (DataParallel) on every key is removed.
     */
    public Map<String, TorchTensor> stateDict() {
        String name = path.getFileName().toString();
        if (!(root instanceof Map<?, ?> top)) throw new PthFormatException(name + " holds " + SafeUnpickler.describe(root) + ", not a state dict");
        Object chosen = top;
        for (String key : List.of("params_ema", "params", "state_dict", "model_state_dict", "net_g", "model")) {
            if (top.get(key) instanceof Map<?, ?> inner && !inner.isEmpty() && inner.values().stream().allMatch(v -> v instanceof TorchTensor)) {
                chosen = inner;
                break;
            }
        }
        // Entries that are not tensors (an iteration count, metadata) are ignored.
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) chosen).entrySet())
            if (e.getKey() instanceof String k && e.getValue() instanceof TorchTensor t) tensors.put(k, t);
        if (tensors.isEmpty())
            throw new PthFormatException(name + " holds no tensors at its top level" + (top.isEmpty() ? "" : " (keys: " + abbreviate(top.keySet()) + ")"));
        if (tensors.keySet().stream().allMatch(k -> k.startsWith("module."))) {
            Map<String, TorchTensor> stripped = new LinkedHashMap<>();
            tensors.forEach((k, v) -> stripped.put(k.substring("module.".length()), v));
            tensors = stripped;
        }
        return tensors;
    }

    private static String abbreviate(java.util.Collection<?> keys) {
        List<String> names = keys.stream().map(String::valueOf).limit(8).toList();
        return String.join(", ", names) + (keys.size() > 8 ? ", ..." : "");
    }

    /** The tensor's values as float32, in row-major order of its sizes (strides and offset applied). */
    public float[] floats(TorchTensor t) {
        TorchDType dtype = t.dtype();
        if (!dtype.floating) throw new PthFormatException(path.getFileName() + ": a " + dtype.label() + " tensor cannot be used as weights");
        long n = t.numel();
        // A view may repeat elements (stride 0), so its size is not bounded by the file: cap it (1 GiB of floats).
        if (n > MAX_TENSOR_ELEMENTS)
            throw new PthFormatException(path.getFileName() + ": tensor " + t.shape() + " is too large (" + n + " elements)");
        ByteBuffer buf = ByteBuffer.wrap(storageBytes(t.storage())).order(order);
        float[] out = new float[(int) n];
        int dims = t.dim();
        int[] size = t.size();
        long[] stride = t.stride();
        int[] index = new int[dims];
        long at = t.offset();
        for (int i = 0; i < out.length; i++) {
            out[i] = read(buf, dtype, at);
            // advance the multi-index, last dimension fastest
            for (int d = dims - 1; d >= 0; d--) {
                index[d]++;
                at += stride[d];
                if (index[d] < size[d]) break;
                at -= stride[d] * size[d];
                index[d] = 0;
            }
        }
        return out;
    }

    private static float read(ByteBuffer buf, TorchDType dtype, long element) {
        int i = (int) (element * dtype.bytes);
        return switch (dtype) {
            case FLOAT32 -> buf.getFloat(i);
            case FLOAT16 -> halfToFloat(buf.getShort(i));
            case BFLOAT16 -> Float.intBitsToFloat((buf.getShort(i) & 0xFFFF) << 16);
            case FLOAT64 -> (float) buf.getDouble(i);
            default -> throw new IllegalStateException(dtype.name());
        };
    }

    /** IEEE binary16 to float, subnormals, infinities and NaN included. */
    static float halfToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16, exp = (h >>> 10) & 0x1F, mant = h & 0x3FF;
        if (exp == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        if (exp == 0) {
            float v = mant * 0x1p-24f; // exact: at most 11 significant bits
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private byte[] storageBytes(TorchStorage s) {
        if (s.key().equals(cachedKey)) return cachedBytes;
        ZipEntry entry = zip.getEntry(prefix + "data/" + s.key());
        if (entry == null) throw new PthFormatException(path.getFileName() + " is incomplete: storage data/" + s.key() + " is missing");
        if (s.byteSize() > Integer.MAX_VALUE - 16) throw new PthFormatException(path.getFileName() + ": storage " + s.key() + " is too large");
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes((int) s.byteSize());
            if (bytes.length < s.byteSize())
                throw new PthFormatException(path.getFileName() + " is damaged: storage data/" + s.key() + " ends after " + bytes.length
                        + " of " + s.byteSize() + " bytes");
            cachedKey = s.key();
            cachedBytes = bytes;
            return bytes;
        } catch (IOException e) {
            throw new PthFormatException(path.getFileName() + " is damaged: cannot read storage data/" + s.key() + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            zip.close();
        } catch (IOException ignored) {
            // read-only
        }
    }
}
