package dev.modelcompose.models.pth;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A pickle reader that only understands what a PyTorch state dict needs, and never runs anything.
 *
 * <p>It accepts the data opcodes of protocols 2 to 5 (containers, strings, numbers, memo, marks,
 * frames) and exactly these Python names: {@code collections.OrderedDict},
 * {@code torch._utils._rebuild_tensor_v2} (and {@code _rebuild_tensor}, {@code _rebuild_parameter},
 * {@code _rebuild_parameter_with_state}) and the {@code torch.*Storage} classes inside persistent
 * ids {@code ('storage', torch.FloatStorage, key, location, numel)}. Calls to those names are
 * interpreted here (a tensor becomes a {@link TorchTensor}, an OrderedDict a {@link LinkedHashMap});
 * any other name or opcode stops the read with an {@link UnsafePickleException} naming it.
 *
 * <p>Results: {@code String}, {@code Long}, {@code Double}, {@code Boolean}, {@code null} (None),
 * {@code byte[]}, {@link List} (list), {@link Tuple}, {@link Map} (dict, insertion ordered),
 * {@link TorchStorage} and {@link TorchTensor}.
 */
public final class SafeUnpickler {

    /** A Python tuple. */
    public record Tuple(List<Object> items) {
        public Tuple {
            items = java.util.Collections.unmodifiableList(new ArrayList<>(items));
        }

        public int size() {
            return items.size();
        }

        public Object get(int i) {
            return items.get(i);
        }
    }

    /** A Python name that passed the allow list; only meaningful as a callable or storage type. */
    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    private static final int MAX_MEMO = 50_000_000;

    private static final Map<Integer, String> OPCODE_NAMES = new HashMap<>();

    static {
        String[][] table = {
            {"(", "MARK"}, {".", "STOP"}, {"0", "POP"}, {"1", "POP_MARK"}, {"2", "DUP"}, {"F", "FLOAT"}, {"I", "INT"},
            {"J", "BININT"}, {"K", "BININT1"}, {"L", "LONG"}, {"M", "BININT2"}, {"N", "NONE"}, {"P", "PERSID"},
            {"Q", "BINPERSID"}, {"R", "REDUCE"}, {"S", "STRING"}, {"T", "BINSTRING"}, {"U", "SHORT_BINSTRING"},
            {"V", "UNICODE"}, {"X", "BINUNICODE"}, {"a", "APPEND"}, {"b", "BUILD"}, {"c", "GLOBAL"}, {"d", "DICT"},
            {"}", "EMPTY_DICT"}, {"e", "APPENDS"}, {"g", "GET"}, {"h", "BINGET"}, {"i", "INST"}, {"j", "LONG_BINGET"},
            {"l", "LIST"}, {"]", "EMPTY_LIST"}, {"o", "OBJ"}, {"p", "PUT"}, {"q", "BINPUT"}, {"r", "LONG_BINPUT"},
            {"s", "SETITEM"}, {"t", "TUPLE"}, {")", "EMPTY_TUPLE"}, {"u", "SETITEMS"}, {"G", "BINFLOAT"},
            {"B", "BINBYTES"}, {"C", "SHORT_BINBYTES"},
        };
        for (String[] row : table) OPCODE_NAMES.put((int) row[0].charAt(0), row[1]);
        String[] high = {"PROTO", "NEWOBJ", "EXT1", "EXT2", "EXT4", "TUPLE1", "TUPLE2", "TUPLE3", "NEWTRUE", "NEWFALSE", "LONG1",
            "LONG4", "SHORT_BINUNICODE", "BINUNICODE8", "BINBYTES8", "EMPTY_SET", "ADDITEMS", "FROZENSET", "NEWOBJ_EX",
            "STACK_GLOBAL", "MEMOIZE", "FRAME", "BYTEARRAY8", "NEXT_BUFFER", "READONLY_BUFFER"};
        for (int i = 0; i < high.length; i++) OPCODE_NAMES.put(0x80 + i, high[i]);
    }

    private final byte[] data;
    private final String source;
    private int pos;
    private final List<Object> stack = new ArrayList<>();
    private final List<List<Object>> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final Map<String, TorchStorage> storages = new LinkedHashMap<>();

    private SafeUnpickler(byte[] data, String source) {
        this.data = data;
        this.source = source;
    }

    /**
     * Reads one pickle.
     *
     * @param source how to name the data in messages, e.g. {@code model.pth (archive/data.pkl)}
     */
    public static Object load(byte[] pickle, String source) {
        return new SafeUnpickler(pickle, source).run();
    }

    /** Reads one pickle and also returns every storage its persistent ids named, by key. */
    static Result loadWithStorages(byte[] pickle, String source) {
        SafeUnpickler u = new SafeUnpickler(pickle, source);
        Object root = u.run();
        return new Result(root, Map.copyOf(u.storages));
    }

    record Result(Object root, Map<String, TorchStorage> storages) {}

    private Object run() {
        while (true) {
            if (pos >= data.length) throw format("the pickle ends without STOP (truncated?)");
            int at = pos;
            int op = data[pos++] & 0xFF;
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = u8();
                    if (proto < 2 || proto > 5) throw format("unsupported pickle protocol " + proto);
                }
                case 0x95 -> skip(8); // FRAME: a length hint only
                case '.' -> { // STOP
                    if (stack.size() != 1 || !marks.isEmpty())
                        throw format("the pickle stops with " + stack.size() + " values on its stack");
                    return stack.get(0);
                }
                case '(' -> { // MARK
                    marks.add(new ArrayList<>(stack));
                    stack.clear();
                }
                case '0' -> pop(); // POP
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                case '}' -> push(new LinkedHashMap<Object, Object>()); // EMPTY_DICT
                case ']' -> push(new ArrayList<Object>()); // EMPTY_LIST
                case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
                case 'd' -> { // DICT
                    List<Object> items = popMark();
                    Map<Object, Object> map = new LinkedHashMap<>();
                    putPairs(map, items);
                    push(map);
                }
                case 'l' -> push(new ArrayList<>(popMark())); // LIST
                case 't' -> push(new Tuple(popMark())); // TUPLE
                case 0x85 -> push(tuple(new Object[] {pop()})); // TUPLE1
                case 0x86 -> { // TUPLE2
                    Object b = pop(), a = pop();
                    push(tuple(a, b));
                }
                case 0x87 -> { // TUPLE3
                    Object c = pop(), b = pop(), a = pop();
                    push(tuple(a, b, c));
                }
                case 'X' -> push(utf8(u32())); // BINUNICODE
                case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
                case 0x8d -> push(utf8(u64())); // BINUNICODE8
                case 'C' -> push(bytes(u8())); // SHORT_BINBYTES
                case 'B' -> push(bytes(u32())); // BINBYTES
                case 'J' -> push((long) i32()); // BININT
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push((long) u16()); // BININT2
                case 0x8a -> push(long1()); // LONG1
                case 'G' -> push(Double.longBitsToDouble(i64be())); // BINFLOAT
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case 'N' -> push(null); // NONE
                case 's' -> { // SETITEM
                    Object value = pop(), key = pop();
                    dictAt("SETITEM").put(hashable(key), value);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    putPairs(dictAt("SETITEMS"), items);
                }
                case 'a' -> { // APPEND
                    Object value = pop();
                    listAt("APPEND").add(value);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    listAt("APPENDS").addAll(items);
                }
                case 'h' -> push(memoGet(u8())); // BINGET
                case 'j' -> push(memoGet(u32())); // LONG_BINGET
                case 'q' -> memoPut(u8()); // BINPUT
                case 'r' -> memoPut(u32()); // LONG_BINPUT
                case 0x94 -> memoPut(memo.size()); // MEMOIZE
                case 'c' -> { // GLOBAL
                    String module = line(), name = line();
                    push(allowGlobal(module, name, at));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop(), module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n))
                        throw format("STACK_GLOBAL needs two strings, got " + describe(module) + " and " + describe(name));
                    push(allowGlobal(m, n, at));
                }
                case 'R' -> { // REDUCE
                    Object args = pop(), callable = pop();
                    push(reduce(callable, args));
                }
                case 'b' -> { // BUILD
                    Object state = pop();
                    build(peek(), state);
                }
                case 'Q' -> push(persistentLoad(pop())); // BINPERSID
                default -> {
                    String name = OPCODE_NAMES.getOrDefault(op, "unknown");
                    throw new UnsafePickleException("refusing to load " + source + ": pickle opcode " + name + " (0x"
                            + String.format(Locale.ROOT, "%02x", op) + ") at byte " + at
                            + " is not allowed; only plain tensors and dicts (a PyTorch state dict) are");
                }
            }
        }
    }

    // ---- names and calls --------------------------------------------------------------------

    private Object allowGlobal(String module, String name, int at) {
        String q = module + "." + name;
        boolean ok = switch (q) {
            case "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
                    "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> true;
            default -> module.equals("torch") && TorchDType.ofStorageClass(name) != null;
        };
        if (!ok) {
            String hint = module.startsWith("torch.nn") || module.startsWith("__torch__") || module.startsWith("basicsr")
                    || module.startsWith("realesrgan") || module.startsWith("__main__") ? " (a whole pickled model or custom object; "
                    + "save model.state_dict() instead)" : "";
            throw new UnsafePickleException("refusing to load " + source + ": the checkpoint references python class " + q
                    + " (at byte " + at + "); only tensors are allowed" + hint + ". Nothing was executed.");
        }
        return new Global(module, name);
    }

    private Object reduce(Object callable, Object args) {
        if (!(callable instanceof Global g)) throw format("REDUCE on " + describe(callable) + ", which is not callable");
        if (!(args instanceof Tuple t)) throw format("REDUCE with arguments " + describe(args) + " instead of a tuple");
        switch (g.qualified()) {
            case "collections.OrderedDict" -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                if (t.size() == 1 && t.get(0) instanceof List<?> pairs) {
                    for (Object p : pairs) {
                        if (!(p instanceof Tuple pair) || pair.size() != 2) throw format("OrderedDict(...) item is not a pair: " + describe(p));
                        map.put(hashable(pair.get(0)), pair.get(1));
                    }
                } else if (t.size() != 0) {
                    throw format("OrderedDict called with " + t.size() + " arguments");
                }
                return map;
            }
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                if (t.size() < 4) throw format(g.name() + " needs at least 4 arguments, got " + t.size());
                if (!(t.get(0) instanceof TorchStorage storage)) throw format(g.name() + ": first argument " + describe(t.get(0)) + " is not a storage");
                long offset = asLong(t.get(1), "storage offset");
                int[] size = intTuple(t.get(2), "size");
                long[] stride = longTuple(t.get(3), "stride");
                try {
                    return new TorchTensor(storage, offset, size, stride);
                } catch (ArithmeticException e) {
                    throw format("tensor size overflows: " + java.util.Arrays.toString(size));
                }
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (t.size() < 1 || !(t.get(0) instanceof TorchTensor tensor))
                    throw format(g.name() + " expects a tensor first, got " + (t.size() == 0 ? "nothing" : describe(t.get(0))));
                return tensor;
            }
            default -> throw new UnsafePickleException("refusing to load " + source + ": the checkpoint calls " + g.qualified()
                    + ", which is only allowed as a storage type; only tensors are allowed. Nothing was executed.");
        }
    }

    private void build(Object target, Object state) {
        // OrderedDict state dicts carry their `_metadata` (module versions) as instance state: not needed.
        if (target instanceof Map<?, ?>) return;
        throw format("BUILD on " + describe(target) + " is not allowed (only dicts carry state in a state dict)");
    }

    private Object persistentLoad(Object pid) {
        if (!(pid instanceof Tuple t) || t.size() < 5 || !"storage".equals(t.get(0)))
            throw new UnsafePickleException("refusing to load " + source + ": persistent id " + describe(pid)
                    + " is not a tensor storage ('storage', type, key, location, numel)");
        if (!(t.get(1) instanceof Global g) || !g.module().equals("torch") || TorchDType.ofStorageClass(g.name()) == null)
            throw format("persistent id names storage type " + describe(t.get(1)) + ", not a torch.*Storage");
        if (!(t.get(2) instanceof String key) || key.isEmpty() || key.contains("/") || key.contains("\\") || key.contains(".."))
            throw format("persistent id has an invalid storage key " + describe(t.get(2)));
        String location = t.get(3) instanceof String s ? s : String.valueOf(t.get(3));
        long numel = asLong(t.get(4), "storage size");
        if (numel < 0) throw format("storage " + key + " has a negative size " + numel);
        TorchStorage storage = new TorchStorage(key, TorchDType.ofStorageClass(g.name()), numel, location);
        TorchStorage known = storages.putIfAbsent(key, storage);
        if (known != null && (known.dtype() != storage.dtype() || known.numel() != storage.numel()))
            throw format("storage " + key + " is declared twice with different types or sizes");
        return known != null ? known : storage;
    }

    // ---- stack, memo --------------------------------------------------------------------------

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty()) throw format("stack underflow at byte " + (pos - 1));
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.isEmpty()) throw format("stack underflow at byte " + (pos - 1));
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) throw format("no MARK to pop at byte " + (pos - 1));
        List<Object> items = new ArrayList<>(stack);
        stack.clear();
        stack.addAll(marks.remove(marks.size() - 1));
        return items;
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) throw format("memo entry " + index + " is read before it is written");
        return memo.get(index);
    }

    private void memoPut(long index) {
        if (memo.size() >= MAX_MEMO) throw format("too many memo entries");
        memo.put(index, peek());
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dictAt(String op) {
        Object top = peek();
        if (!(top instanceof Map<?, ?> m)) throw format(op + " on " + describe(top) + ", not a dict");
        return (Map<Object, Object>) m;
    }

    @SuppressWarnings("unchecked")
    private List<Object> listAt(String op) {
        Object top = peek();
        if (!(top instanceof List<?> l)) throw format(op + " on " + describe(top) + ", not a list");
        return (List<Object>) l;
    }

    private void putPairs(Map<Object, Object> map, List<Object> items) {
        if (items.size() % 2 != 0) throw format("odd number of items for a dict");
        for (int i = 0; i < items.size(); i += 2) map.put(hashable(items.get(i)), items.get(i + 1));
    }

    private Object hashable(Object key) {
        if (key == null || key instanceof String || key instanceof Long || key instanceof Double || key instanceof Boolean
                || key instanceof Tuple) return key;
        throw format("dict key " + describe(key) + " is not a plain value");
    }

    private static Tuple tuple(Object... items) {
        return new Tuple(java.util.Arrays.asList(items));
    }

    // ---- raw reads ------------------------------------------------------------------------------

    private void need(long n) {
        if (n < 0 || n > data.length - pos) throw format("the pickle is truncated (wanted " + n + " bytes at byte " + pos + ")");
    }

    private void skip(int n) {
        need(n);
        pos += n;
    }

    private int u8() {
        need(1);
        return data[pos++] & 0xFF;
    }

    private int u16() {
        need(2);
        int v = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    private int i32() {
        need(4);
        int v = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8 | (data[pos + 2] & 0xFF) << 16 | (data[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    private long u32() {
        return i32() & 0xFFFFFFFFL;
    }

    private long u64() {
        need(8);
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (data[pos + i] & 0xFF);
        pos += 8;
        if (v < 0) throw format("length out of range");
        return v;
    }

    private long i64be() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (data[pos + i] & 0xFF);
        pos += 8;
        return v;
    }

    private Long long1() {
        int n = u8();
        if (n > 8) throw format("integer of " + n + " bytes is too large");
        need(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | (data[pos + i] & 0xFF);
        if (n > 0 && n < 8 && (data[pos + n - 1] & 0x80) != 0) v -= 1L << (8 * n); // two's complement sign
        pos += n;
        return v;
    }

    private String utf8(long n) {
        need(n);
        String s = new String(data, pos, (int) n, StandardCharsets.UTF_8);
        pos += (int) n;
        return s;
    }

    private byte[] bytes(long n) {
        need(n);
        byte[] b = java.util.Arrays.copyOfRange(data, pos, pos + (int) n);
        pos += (int) n;
        return b;
    }

    private String line() {
        int start = pos;
        while (pos < data.length && data[pos] != '\n') {
            if (pos - start > 256) throw format("GLOBAL name too long");
            pos++;
        }
        if (pos >= data.length) throw format("the pickle is truncated inside a GLOBAL name");
        String s = new String(data, start, pos - start, StandardCharsets.UTF_8);
        pos++;
        return s;
    }

    // ---- helpers --------------------------------------------------------------------------------

    private long asLong(Object o, String what) {
        if (o instanceof Long l) return l;
        throw format(what + " is " + describe(o) + ", not an integer");
    }

    private int[] intTuple(Object o, String what) {
        long[] l = longTuple(o, what);
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] < 0 || l[i] > Integer.MAX_VALUE) throw format(what + " entry " + l[i] + " is out of range");
            out[i] = (int) l[i];
        }
        return out;
    }

    private long[] longTuple(Object o, String what) {
        if (!(o instanceof Tuple t)) throw format(what + " is " + describe(o) + ", not a tuple");
        if (t.size() > 16) throw format(what + " has " + t.size() + " dimensions");
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) out[i] = asLong(t.get(i), what + " entry");
        return out;
    }

    static String describe(Object o) {
        if (o == null) return "None";
        if (o instanceof String s) return "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
        if (o instanceof Global g) return g.qualified();
        if (o instanceof Map<?, ?>) return "a dict";
        if (o instanceof List<?>) return "a list";
        if (o instanceof Tuple t) return "a " + t.size() + "-tuple";
        if (o instanceof TorchStorage s) return "storage " + s.key();
        if (o instanceof TorchTensor t) return t.toString();
        return Objects.toString(o);
    }

    private PthFormatException format(String message) {
        return new PthFormatException(source + ": malformed checkpoint pickle: " + message);
    }
}
