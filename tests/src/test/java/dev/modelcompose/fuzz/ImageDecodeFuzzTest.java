package dev.modelcompose.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing of image decoding with Jazzer. In the normal test run (regression mode) this replays the
 * inputs under src/test/resources/dev/modelcompose/fuzz/ImageDecodeFuzzTestInputs/decode/ (and the empty input);
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=ImageDecodeFuzzTest} fuzzes for maxDuration and saves crashing inputs there.
 */
@Tag("jazzer")
class ImageDecodeFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void decode(byte[] input) {
        FuzzTargets.decode(input);
    }
}
