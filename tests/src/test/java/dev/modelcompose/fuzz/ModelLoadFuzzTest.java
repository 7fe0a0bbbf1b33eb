package dev.modelcompose.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;
import dev.modelcompose.testing.NcnnModelWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of model loading with Jazzer: the fuzzer edits one line of a small valid model's .param
 * and some bytes of its .bin. Regression mode (the normal test run) replays ModelLoadFuzzTestInputs/load/; fuzz with
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=ModelLoadFuzzTest}.
 */
@Tag("jazzer")
class ModelLoadFuzzTest {
    private static final NcnnModelWriter VALID = FuzzTargets.validModel();
    private static Path dir;

    @FuzzTest(maxDuration = "20s")
    void load(FuzzedDataProvider data) {
        String[] lines = VALID.paramText().split("\n", -1);
        int line = data.consumeInt(0, lines.length - 1);
        lines[line] = data.consumeString(200);
        byte[] bin = VALID.binBytes();
        int edits = data.consumeInt(0, 8);
        for (int i = 0; i < edits; i++) bin[data.consumeInt(0, bin.length - 1)] = data.consumeByte();
        if (data.consumeBoolean()) bin = java.util.Arrays.copyOf(bin, data.consumeInt(0, bin.length));
        FuzzTargets.load(dir(), "fuzz", String.join("\n", lines).getBytes(StandardCharsets.UTF_8), bin);
    }

    private static synchronized Path dir() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("model-fuzz");
                dir.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }
}
