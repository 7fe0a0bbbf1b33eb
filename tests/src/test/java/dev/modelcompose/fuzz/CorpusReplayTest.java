package dev.modelcompose.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays src/test/resources/corpus/ (written by scripts/make-fuzz-corpus.py, plus any input a fuzz run found):
 * broken images must be refused with an ImageReadException (ok-* ones, broken only in their metadata, must decode);
 * broken models must be refused with an UpscaleException.
 */
class CorpusReplayTest {
    @TempDir
    static Path dir;

    static Path corpus(String sub) throws URISyntaxException {
        return Path.of(CorpusReplayTest.class.getResource("/corpus/" + sub).toURI());
    }

    static Stream<Path> images() throws IOException, URISyntaxException {
        List<Path> files;
        try (Stream<Path> s = Files.list(corpus("images"))) {
            files = s.sorted().toList();
        }
        return files.stream();
    }

    static Stream<Path> models() throws IOException, URISyntaxException {
        List<Path> files;
        try (Stream<Path> s = Files.list(corpus("models"))) {
            files = s.sorted().toList();
        }
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void brokenImageIsRefused(Path file) throws IOException {
        boolean ok = file.getFileName().toString().startsWith("ok-");
        assertEquals(ok, FuzzTargets.decode(Files.readAllBytes(file)), ok ? "decodes" : "is refused");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void brokenModelIsRefused(Path file) throws IOException {
        String name = file.getFileName().toString();
        boolean ok = name.startsWith("ok-");
        var valid = FuzzTargets.validModel();
        byte[] param = valid.paramText().getBytes(StandardCharsets.UTF_8), bin = valid.binBytes();
        if (name.endsWith(".param")) param = Files.readAllBytes(file);
        else bin = Files.readAllBytes(file);
        assertEquals(ok, FuzzTargets.load(dir, name.replace('.', '_'), param, bin), ok ? "opens" : "is refused");
    }
}
