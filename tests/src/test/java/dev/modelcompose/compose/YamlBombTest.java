package dev.modelcompose.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.cli.CliResult;
import dev.modelcompose.testing.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Billion laughs": nine levels of nine aliases each stand for 9^9 values in about 1.5 KB. The loader counts values as
 * it converts and refuses the file with the line of the value that crossed the limit, instead of filling the heap; the
 * timeouts only keep a regression from hanging the build.
 */
class YamlBombTest {
    @TempDir
    Path dir;

    /** {@code levels} levels, each a list of nine aliases of the one before, used as a component's model value. */
    static String bomb(int levels) {
        StringBuilder y = new StringBuilder("x-lol: &l0 \"lol\"\n");
        for (int i = 1; i <= levels; i++) {
            y.append("x-l").append(i).append(": &l").append(i).append(" [");
            for (int j = 0; j < 9; j++) y.append(j == 0 ? "" : ", ").append("*l").append(i - 1);
            y.append("]\n");
        }
        return y + """
                workflow:
                  job: {input: "${input}", output: "${output as image}"}
                component:
                  type: model
                  task: image-upscale
                  family: real-esrgan
                  model: {provider: url, url: *lLAST}
                  action: {image: "${input.image as image}"}
                """.replace("LAST", String.valueOf(levels));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aBillionLaughsIsRefusedWithItsLine() {
        String yaml = bomb(9);
        assertTrue(yaml.length() < 1600, yaml.length() + " bytes");
        ComposeException e = assertThrows(ComposeException.class, () -> ComposeLoader.loadString(yaml, "model-compose.yml", dir, Map.of()));
        // 9^6 = 531441 values at level 6 is the first over 100,000
        assertTrue(e.getMessage().startsWith("YAML parsing error:\nmodel-compose.yml:7:"), e.getMessage());
        assertTrue(e.getMessage().contains("expands to more than 100000 values through its aliases"), e.getMessage());
    }

    @Test
    void aFewAliasesStillWork() {
        ComposeProject p = ComposeLoader.loadString(bomb(3).replace("model: {provider: url, url: *l3}", "model: x.param"), "model-compose.yml", dir,
                Map.of());
        assertEquals(1, p.config().components().size());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theCommandLineRefusesItAndExits() throws Exception {
        Files.writeString(dir.resolve("model-compose.yml"), bomb(9));
        CliResult r = CliResult.run("-f", dir.resolve("model-compose.yml").toString(), "validate");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("model-compose.yml:7:"), r.err());

        // `up` as its own process: it refuses the file and exits by itself
        Path log = dir.resolve("up.log");
        Process up = CliProcess.start(dir, log, "up");
        assertTrue(up.waitFor(60, TimeUnit.SECONDS), CliProcess.read(log));
        assertEquals(1, up.exitValue(), CliProcess.read(log));
        assertTrue(CliProcess.read(log).contains("expands to more than 100000 values"), CliProcess.read(log));
    }
}
