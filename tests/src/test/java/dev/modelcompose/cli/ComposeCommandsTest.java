package dev.modelcompose.cli;

import static dev.modelcompose.cli.CliResult.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.testing.TestAssets;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run} and {@code validate} in-process, with the example and with a real small model. */
class ComposeCommandsTest {
    @TempDir
    Path dir;

    private static final String COMPOSE = """
            controller:
              adapter: {type: http-server, port: 8080, base_path: /api}
            workflow:
              title: Upscale Image
              job:
                input: ${input}
                output: ${output as OUTPUT}
            component:
              type: model
              task: image-upscale
              family: real-esrgan
              model: MODEL
              scale: 4
              max_concurrent_count: 1
              action:
                image: ${input.image as image}
                params: {tile_size: 64, tile_pad: 10}
            """;

    private Path compose(Path where, String output) throws Exception {
        Files.createDirectories(where);
        Path f = where.resolve("model-compose.yml");
        Files.writeString(f, COMPOSE.replace("MODEL", TestAssets.models().resolve("realesr-animevideov3-x4.param").toString())
                .replace("OUTPUT", output));
        return f;
    }

    private Path image(String name, int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (x * 9 & 0xFF) << 16 | (y * 5 & 0xFF) << 8 | 60);
        Path p = dir.resolve(name);
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    @Test
    void validateAcceptsTheExampleAndItsVariants() {
        Path examples = TestAssets.repoRoot().resolve("examples/model-tasks/image-upscale");
        for (String f : new String[] {"model-compose.yml", "model-compose.x2.yml", "model-compose.esrgan.yml", "model-compose.tiles.yml"}) {
            CliResult r = run("-f", examples.resolve(f).toString(), "validate");
            assertEquals(0, r.exit(), f + ": " + r.err());
            assertEquals("✅ Configuration is valid (controller: http-server, 1 component(s), 1 workflow(s))", r.out().strip());
            assertEquals("", r.err(), f);
        }
        CliResult after = run("validate", "-f", examples.resolve("model-compose.yml").toString());
        assertEquals(0, after.exit(), after.err());
    }

    @Test
    void validateReportsSchemaAndSemanticErrors() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yml"), "component: {type: model, task: image-upscale, family: real-esrgan, model: x, scale: four, action: {image: x}}\n");
        CliResult r = run("validate", "-f", bad.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("❌ Config validation failed:\n  - components[0].scale: expected an integer, got \"four\""), r.err());

        Path semantic = Files.writeString(dir.resolve("sem.yml"), """
                workflow: {job: {component: nope}}
                component: {type: model, task: image-upscale, family: real-esrgan, model: x, device: "cuda:7", action: {image: x}}
                """);
        r = run("validate", "-f", semantic.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("❌ Configuration has semantic errors:\n  - components[0].device: device 'cuda:7' is not available"), r.err());
        assertTrue(r.err().contains("  - workflows[0].jobs[0].component: component 'nope' not found"), r.err());

        Path unknown = Files.writeString(dir.resolve("warn.yml"), "controller: {adapter: {type: http-server, prot: 1}}\n");
        r = run("-f", unknown.toString(), "validate");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("warning: " + unknown + ":1: controller.adapters[0].prot: unknown key, ignored"), r.err());

        r = run("validate", "-f", dir.resolve("missing.yml").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("❌ Compose file '") && r.err().contains("does not exist"), r.err());
    }

    @Test
    void runUpscalesAPathAndSavesNextToTheInput() throws Exception {
        Path project = dir.resolve("image-upscale");
        Path f = compose(project, "image");
        Path in = image("photo.png", 24, 16);
        CliResult r = run("-f", f.toString(), "run", "image-upscale", "--input", "{\"image\": \"" + in + "\"}");
        assertEquals(0, r.exit(), r.err() + r.out());
        Path saved = dir.resolve("photo-output.png");
        assertTrue(r.err().contains("saved a 96x64 image to " + saved), r.err());
        BufferedImage out = ImageIO.read(saved.toFile());
        assertEquals(96, out.getWidth());
        assertEquals(64, out.getHeight());

        Path target = dir.resolve("sub/out.png");
        r = run("run", "-f", f.toString(), "-i", "{\"image\": \"" + in + "\"}", "-o", target.toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        assertEquals(96, ImageIO.read(target.toFile()).getWidth());
        assertEquals("", r.out());
    }

    @Test
    void runPrintsTextOutputsAndFailsWithAJsonReason() throws Exception {
        Path f = compose(dir.resolve("b64"), "base64");
        Path in = image("small.png", 8, 6);
        CliResult r = run("-f", f.toString(), "run", "-i", "{\"image\": \"" + in + "\"}");
        assertEquals(0, r.exit(), r.err());
        BufferedImage decoded = ImageIO.read(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(r.out().strip())));
        assertEquals(32, decoded.getWidth());

        r = run("-f", f.toString(), "run", "-i", "not json");
        assertEquals(1, r.exit());
        assertEquals("❌ Invalid JSON provided for --input", r.err().strip());

        r = run("-f", f.toString(), "run", "nope", "-i", "{}");
        assertEquals(1, r.exit());
        assertTrue(r.out().startsWith("\"Workflow not found: nope (available: __workflow__)\""), r.out());

        r = run("-f", f.toString(), "run", "-i", "{}");
        assertEquals(1, r.exit());
        assertTrue(r.out().startsWith("\"image is required"), r.out());
        assertFalse(r.out().contains("\tat ") || r.err().contains("\tat "), "no stack traces without -v");

        r = run("-f", f.toString(), "run", "-i", "{\"image\": \"" + dir.resolve("gone.png") + "\"}");
        assertEquals(1, r.exit());
        assertTrue(r.out().contains("no file at"), r.out());
    }

    @Test
    void envEntriesReachTheComposeFile() throws Exception {
        Path f = Files.writeString(dir.resolve("env.yml"), "controller: {adapter: {type: http-server, port: \"${env.PORT}\"}}\n");
        CliResult r = run("-f", f.toString(), "validate", "-e", "PORT=9000");
        assertEquals(0, r.exit(), r.err());
        r = run("-f", f.toString(), "validate");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("❌ Environment variable 'PORT' is not set"), r.err());
    }

    @Test
    void helpAndVersionOnEveryCommand() {
        for (String cmd : new String[] {"run", "validate"}) {
            CliResult help = run(cmd, "--help");
            assertEquals(0, help.exit());
            assertTrue(help.out().contains("Usage: model-compose " + cmd), help.out());
            CliResult version = run(cmd, "--version");
            assertEquals(0, version.exit());
            assertTrue(version.out().startsWith("model-compose "), version.out());
        }
        CliResult top = run("--help");
        assertTrue(top.out().contains("run") && top.out().contains("validate"), top.out());
    }
}
