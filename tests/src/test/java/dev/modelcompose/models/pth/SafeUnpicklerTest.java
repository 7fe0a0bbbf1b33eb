package dev.modelcompose.models.pth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pickle reader and the zip container on hand-written bytes (no PyTorch needed). */
class SafeUnpicklerTest {
    @TempDir
    Path dir;

    @Test
    void readsPlainValues() {
        byte[] p = new PickleBytes().proto(2).op('}').op('(')
                .shortStr("a").integer(7)
                .shortStr("b").long1(-5_000_000_000L)
                .shortStr("c").binfloat(0.25)
                .shortStr("d").op(0x88)
                .shortStr("e").op('N')
                .shortStr("f").op(']').op('(').integer(1).integer(300).integer(70000).op('e')
                .shortStr("g").integer(1).integer(2).op(0x86)
                .op('u').op('.').bytes();
        Object o = SafeUnpickler.load(p, "test");
        Map<?, ?> m = assertInstanceOf(Map.class, o);
        assertEquals(7L, m.get("a"));
        assertEquals(-5_000_000_000L, m.get("b"));
        assertEquals(0.25, m.get("c"));
        assertEquals(Boolean.TRUE, m.get("d"));
        assertTrue(m.containsKey("e") && m.get("e") == null);
        assertEquals(List.of(1L, 300L, 70000L), m.get("f"));
        assertEquals(new SafeUnpickler.Tuple(List.of(1L, 2L)), m.get("g"));
        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g"), List.copyOf(m.keySet()));
    }

    @Test
    void refusesOsSystem() {
        byte[] p = new PickleBytes().proto(2).global("os", "system").str("touch /tmp/pwned").op(0x85).op('R').op('.').bytes();
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> SafeUnpickler.load(p, "evil.pth"));
        assertTrue(e.getMessage().contains("refusing to load evil.pth"), e.getMessage());
        assertTrue(e.getMessage().contains("python class os.system"), e.getMessage());
        assertTrue(e.getMessage().contains("only tensors are allowed"), e.getMessage());
    }

    @Test
    void refusesStackGlobalEval() {
        byte[] p = new PickleBytes().proto(4).shortStr("builtins").op(0x94).shortStr("eval").op(0x94).op(0x93).str("1+1").op(0x85).op('R')
                .op('.').bytes();
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> SafeUnpickler.load(p, "evil.pth"));
        assertTrue(e.getMessage().contains("builtins.eval"), e.getMessage());
    }

    @Test
    void refusesObjectBuildingOpcodes() {
        // INST 'os\nsystem\n' : refused by opcode, before its name is even read
        byte[] inst = new PickleBytes().proto(2).op('(').str("x").op('i').bytes();
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> SafeUnpickler.load(inst, "a.pth"));
        assertTrue(e.getMessage().contains("INST"), e.getMessage());
        byte[] newobj = new PickleBytes().proto(2).global("collections", "OrderedDict").op(')').op(0x81).op('.').bytes();
        e = assertThrows(UnsafePickleException.class, () -> SafeUnpickler.load(newobj, "b.pth"));
        assertTrue(e.getMessage().contains("NEWOBJ"), e.getMessage());
        byte[] ext = new PickleBytes().proto(2).op(0x82).op(1).op('.').bytes();
        e = assertThrows(UnsafePickleException.class, () -> SafeUnpickler.load(ext, "c.pth"));
        assertTrue(e.getMessage().contains("EXT1"), e.getMessage());
    }

    @Test
    void storageTypesAreNotCallable() {
        byte[] p = new PickleBytes().proto(2).global("torch", "FloatStorage").op(')').op('R').op('.').bytes();
        assertThrows(UnsafePickleException.class, () -> SafeUnpickler.load(p, "x.pth"));
    }

    @Test
    void truncatedPickleIsAFormatError() {
        byte[] p = new PickleBytes().proto(2).op('}').str("abc").bytes();
        byte[] cut = java.util.Arrays.copyOf(p, p.length - 2);
        PthFormatException e = assertThrows(PthFormatException.class, () -> SafeUnpickler.load(cut, "x.pth"));
        assertFalse(e instanceof UnsafePickleException);
    }

    @Test
    void readsStridedHalfAndBfloatTensors() {
        // a 2x3 fp32 tensor stored transposed (stride (1, 2)) at offset 1 of a 7-element storage
        byte[] pickle = new PickleBytes().proto(2).op('}').op('(')
                .str("t").tensor("FloatStorage", "0", 7, 1, new int[] {2, 3}, new long[] {1, 2})
                .str("h").tensor("HalfStorage", "1", 3, 0, new int[] {3}, new long[] {1})
                .str("b").tensor("BFloat16Storage", "2", 2, 1, new int[] {1}, new long[] {1})
                .op('u').op('.').bytes();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        storages.put("0", PickleBytes.floatsLE(99, 0, 3, 1, 4, 2, 5));
        storages.put("1", PickleBytes.shortsLE((short) 0x3C00, (short) 0xC000, (short) 0x0001)); // 1, -2, smallest subnormal
        storages.put("2", PickleBytes.shortsLE((short) 0x3F80, (short) 0x4049)); // 1, 3.140625
        Path file = dir.resolve("t.pth");
        PickleBytes.writeArchive(file, "anything", pickle, storages);
        try (PthCheckpoint c = PthCheckpoint.open(file)) {
            Map<String, TorchTensor> sd = c.stateDict();
            assertFalse(sd.get("t").isContiguous());
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, c.floats(sd.get("t")));
            assertArrayEquals(new float[] {1, -2, 0x1p-24f}, c.floats(sd.get("h")));
            assertArrayEquals(new float[] {3.140625f}, c.floats(sd.get("b")));
        }
    }

    @Test
    void rejectsViewsOutsideTheirStorage() {
        byte[] pickle = new PickleBytes().proto(2).op('}').str("t").tensor("FloatStorage", "0", 4, 2, new int[] {3}, new long[] {1}).op('s')
                .op('.').bytes();
        Path file = dir.resolve("t.pth");
        PickleBytes.writeArchive(file, "t", pickle, Map.of("0", PickleBytes.floatsLE(1, 2, 3, 4)));
        PthFormatException e = assertThrows(PthFormatException.class, () -> PthCheckpoint.open(file));
        assertTrue(e.getMessage().contains("storage 0"), e.getMessage());
    }

    @Test
    void rejectsMissingAndShortStorages() throws Exception {
        byte[] pickle = new PickleBytes().proto(2).op('}').str("t").tensor("FloatStorage", "0", 4, 0, new int[] {4}, new long[] {1}).op('s')
                .op('.').bytes();
        Path missing = dir.resolve("missing.pth");
        PickleBytes.writeArchive(missing, "m", pickle, Map.of());
        PthFormatException e = assertThrows(PthFormatException.class, () -> PthCheckpoint.open(missing));
        assertTrue(e.getMessage().contains("m/data/0") && e.getMessage().contains("missing"), e.getMessage());
        Path shortFile = dir.resolve("short.pth");
        PickleBytes.writeArchive(shortFile, "s", pickle, Map.of("0", PickleBytes.floatsLE(1, 2)));
        e = assertThrows(PthFormatException.class, () -> PthCheckpoint.open(shortFile));
        assertTrue(e.getMessage().contains("8 bytes") && e.getMessage().contains("16"), e.getMessage());
    }

    @Test
    void rejectsNonCheckpoints() throws Exception {
        Path legacy = dir.resolve("legacy.pth");
        Files.write(legacy, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc});
        PthFormatException e = assertThrows(PthFormatException.class, () -> PthCheckpoint.open(legacy));
        assertTrue(e.getMessage().contains("legacy"), e.getMessage());
        Path text = dir.resolve("text.pth");
        Files.writeString(text, "hello world");
        e = assertThrows(PthFormatException.class, () -> PthCheckpoint.open(text));
        assertTrue(e.getMessage().contains("not a PyTorch checkpoint"), e.getMessage());
        Path zipWithout = dir.resolve("other.pth");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(zipWithout))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            zip.write(1);
        }
        e = assertThrows(PthFormatException.class, () -> PthCheckpoint.open(zipWithout));
        assertTrue(e.getMessage().contains("data.pkl"), e.getMessage());
        e = assertThrows(PthFormatException.class, () -> PthCheckpoint.open(dir.resolve("absent.pth")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}
