package dev.modelcompose.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputPathsTest {
    @TempDir
    Path dir;

    private Path resolve(String text, InputAccess access) {
        return InputPaths.resolve(text, dir, access, "file;path");
    }

    @Test
    void theCommandLineReadsAnyFile() throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "a");
        assertEquals(file, resolve("a.txt", InputAccess.local()));
        assertEquals(file, resolve(file.toString(), InputAccess.local()));
        assertTrue(assertThrows(ExpressionException.class, () -> resolve("b.txt", InputAccess.local())).getMessage().contains("no file at 'b.txt'"));
    }

    @Test
    void offWithoutRoots() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "a");
        ExpressionException e = assertThrows(ExpressionException.class, () -> resolve("a.txt", InputAccess.network()));
        assertTrue(e.getMessage().contains("reading local files is off"), e.getMessage());
    }

    @Test
    void relativePathsAreLookedUpInEachRootInTurn() throws Exception {
        Path first = Files.createDirectories(dir.resolve("first"));
        Path second = Files.createDirectories(dir.resolve("second"));
        Files.writeString(second.resolve("b.txt"), "b");
        Files.writeString(first.resolve("a.txt"), "a");
        InputAccess access = InputAccess.network().withPathRoots(List.of(first, second, dir.resolve("not-there")));
        assertEquals(first.toRealPath().resolve("a.txt"), resolve("a.txt", access));
        assertEquals(second.toRealPath().resolve("b.txt"), resolve("b.txt", access));
        assertThrows(ExpressionException.class, () -> resolve("../second/b.txt", InputAccess.network().withPathRoots(List.of(first))));
        assertThrows(ExpressionException.class, () -> resolve(".", access));
    }

    @Test
    void aRootThatIsASymlinkStillWorks() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real"));
        Files.writeString(real.resolve("a.txt"), "a");
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        assertEquals(real.toRealPath().resolve("a.txt"), resolve("a.txt", InputAccess.network().withPathRoots(List.of(link))));
        assertEquals(real.toRealPath().resolve("a.txt"), resolve(link.resolve("a.txt").toString(), InputAccess.network().withPathRoots(List.of(link))));
    }
}
