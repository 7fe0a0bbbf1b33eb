package dev.modelcompose.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading compose files: discovery, merging, environment, shorthands, legacy forms, warnings and schema errors. */
class ComposeLoaderTest {
    @TempDir
    Path dir;

    static final String EXAMPLE = """
            controller:
              adapter:
                type: http-server
                port: 8080
                base_path: /api
              webui:
                driver: gradio
                port: 8081

            workflow:
              title: Upscale Image
              description: Upscale input images using a pretrained super-resolution model.
              job:
                input: ${input}
                output: ${output as image}

            component:
              type: model
              task: image-upscale
              family: real-esrgan
              model:
                provider: huggingface
                repository: ai-forever/Real-ESRGAN
                filename: RealESRGAN_x4.pth
              scale: 4
              max_concurrent_count: 1
              action:
                image: ${input.image as image}
            """;

    private ComposeProject load(String yaml) {
        return ComposeLoader.loadString(yaml, "model-compose.yml", dir, Map.of());
    }

    private ComposeProject loadFiles(List<String> files, List<String> env, Map<String, String> processEnv) {
        return ComposeLoader.load(new ComposeLoader.Options(dir, files.stream().map(Path::of).toList(), List.of(), env, processEnv));
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private static ComposeException schemaError(Runnable r) {
        return assertThrows(ComposeException.class, r::run);
    }

    @Test
    void theExampleNormalisesAsTheContractSays() {
        ComposeProject p = load(EXAMPLE);
        assertTrue(p.diagnostics().isEmpty(), p.diagnostics().toString());
        ComposeConfig c = p.config();
        ControllerConfig.AdapterConfig a = c.controller().adapters().get(0);
        assertEquals("http-server", a.type());
        assertEquals("127.0.0.1", a.host());
        assertEquals(8080, a.port());
        assertEquals("/api", a.basePath());
        assertEquals(List.of("*"), a.origins());
        assertEquals("/ws", a.websocket().path());
        assertEquals("gradio", c.controller().webui().driver());
        assertEquals(8081, c.controller().webui().port());
        assertEquals("native", c.controller().runtime());
        assertEquals(0, c.controller().maxConcurrentCount());

        WorkflowConfig w = c.workflows().get(0);
        assertEquals("__workflow__", w.id());
        assertFalse(w.explicitId());
        assertEquals("Upscale Image", w.title());
        JobConfig j = w.jobs().get(0);
        assertEquals("__job__", j.id());
        assertEquals("component", j.type());
        assertEquals("__default__", j.componentId());
        assertEquals("__default__", j.action());
        assertEquals("${input}", j.input());
        assertEquals("${output as image}", j.output());
        assertEquals(1L, j.repeatCount());

        ImageUpscaleConfig u = assertInstanceOf(ImageUpscaleConfig.class, c.components().get(0));
        assertEquals("__component__", u.id());
        assertEquals("custom", u.driver());
        assertEquals("real-esrgan", u.family());
        assertEquals(4, u.scale());
        assertEquals("auto", u.device());
        assertTrue(u.preload());
        assertEquals(1, u.maxConcurrentCount());
        assertEquals(Map.of("provider", "huggingface", "repository", "ai-forever/Real-ESRGAN", "filename", "RealESRGAN_x4.pth"), u.model());
        ImageUpscaleConfig.Action act = u.actions().get(0);
        assertEquals("__action__", act.id());
        assertEquals("${input.image as image}", act.image());
        assertEquals("rgb", act.colorFormat());
        assertEquals(1L, act.batchSize());
        // the contract's defaults, except the tile: automatic (0) with the model's own halo (-1) instead of upstream's 192 / 24
        assertEquals(new ImageUpscaleConfig.Params(0L, -1L, 15L, 4L, 0.5, false), act.params());
    }

    @Test
    void discoveryFindsYmlThenYamlInTheWorkingDirectory() throws Exception {
        ComposeException none = assertThrows(ComposeException.class, () -> ComposeLoader.load(ComposeLoader.Options.in(dir)));
        assertTrue(none.getMessage().startsWith("model-compose.yml or .yaml not found"), none.getMessage());
        write("model-compose.yaml", EXAMPLE.replace("Upscale Image", "From yaml"));
        assertEquals("From yaml", ComposeLoader.load(ComposeLoader.Options.in(dir)).config().workflows().get(0).title());
        write("model-compose.yml", EXAMPLE);
        ComposeProject p = ComposeLoader.load(ComposeLoader.Options.in(dir));
        assertEquals("Upscale Image", p.config().workflows().get(0).title());
        assertEquals(dir.getFileName().toString(), p.projectName());
    }

    @Test
    void filesDeepMergeLeftToRightAndListsAreReplaced() throws Exception {
        write("a.yml", """
                controller:
                  adapter: {type: http-server, port: 8080, base_path: /api, origins: [a, b]}
                  max_concurrent_count: 2
                component:
                  type: model
                  task: image-upscale
                  family: real-esrgan
                  model: m.param
                  action: {image: "${input.image as image}", params: {tile_size: 64}}
                """);
        write("b.yml", """
                controller:
                  adapter: {port: 9090, origins: [c]}
                component:
                  action: {params: {tile_pad_size: 5}}
                """);
        ComposeConfig c = loadFiles(List.of("a.yml", "b.yml"), List.of(), Map.of()).config();
        ControllerConfig.AdapterConfig a = c.controller().adapters().get(0);
        assertEquals(9090, a.port());
        assertEquals("/api", a.basePath());
        assertEquals(List.of("c"), a.origins());
        assertEquals(2, c.controller().maxConcurrentCount());
        ImageUpscaleConfig.Params params = ((ImageUpscaleConfig) c.components().get(0)).actions().get(0).params();
        assertEquals(64L, params.tileSize());
        assertEquals(5L, params.tilePadSize());

        ComposeException missing = assertThrows(ComposeException.class, () -> loadFiles(List.of("a.yml", "nope.yml"), List.of(), Map.of()));
        assertTrue(missing.getMessage().contains("nope.yml") && missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    @Test
    void brokenYamlIsAParsingErrorWithItsPosition() throws Exception {
        write("model-compose.yml", "controller:\n  adapter: [unclosed\n");
        ComposeException e = assertThrows(ComposeException.class, () -> ComposeLoader.load(ComposeLoader.Options.in(dir)));
        assertTrue(e.getMessage().startsWith("YAML parsing error:\nmodel-compose.yml:"), e.getMessage());
    }

    @Test
    void envSubstitutionUsesValuesThenDefaults() throws Exception {
        String yaml = EXAMPLE.replace("port: 8080", "port: ${env.PORT|8080}").replace("base_path: /api", "base_path: ${  env.BASE  }");
        write("model-compose.yml", yaml);
        ComposeConfig c = loadFiles(List.of(), List.of(), Map.of("BASE", "/v1")).config();
        assertEquals(8080, c.controller().adapters().get(0).port());
        assertEquals("/v1", c.controller().adapters().get(0).basePath());
        c = loadFiles(List.of(), List.of(), Map.of("BASE", "/v1", "PORT", "9090")).config();
        assertEquals(9090, c.controller().adapters().get(0).port());

        ComposeException missing = assertThrows(ComposeException.class, () -> loadFiles(List.of(), List.of(), Map.of()));
        assertTrue(missing.getMessage().startsWith("Environment variable 'BASE' is not set and no default value provided"), missing.getMessage());
        assertEquals("localhost:8080", EnvSubstitution.apply("${env.HOST}:${env.PORT}", Map.of("HOST", "localhost", "PORT", "8080"), "x"));
    }

    @Test
    void envFilesProcessEnvAndEntriesApplyInOrder() throws Exception {
        write("model-compose.yml", EXAMPLE.replace("base_path: /api", "base_path: ${env.BASE}").replace("port: 8081", "port: ${env.UI}"));
        write(".env", "# comment\nexport BASE=/from-dotenv\nUI=\"8082\"\n");
        ComposeConfig c = loadFiles(List.of(), List.of(), Map.of()).config();
        assertEquals("/from-dotenv", c.controller().adapters().get(0).basePath());
        assertEquals(8082, c.controller().webui().port());
        c = loadFiles(List.of(), List.of(), Map.of("BASE", "/from-process")).config();
        assertEquals("/from-process", c.controller().adapters().get(0).basePath());
        c = loadFiles(List.of(), List.of("BASE=/from-e"), Map.of("BASE", "/from-process")).config();
        assertEquals("/from-e", c.controller().adapters().get(0).basePath());

        write("other.env", "BASE=/other\nUI=9000 # trailing comment\n");
        c = ComposeLoader.load(new ComposeLoader.Options(dir, List.of(), List.of(Path.of("other.env")), List.of(), Map.of())).config();
        assertEquals("/other", c.controller().adapters().get(0).basePath());
        assertEquals(9000, c.controller().webui().port());

        ComposeException bad = assertThrows(ComposeException.class, () -> loadFiles(List.of(), List.of("NOEQUALS"), Map.of()));
        assertEquals("Invalid env entry: NOEQUALS", bad.getMessage());
    }

    @Test
    void pluralsWinOverSingularsAndIdsDefault() {
        ComposeProject p = load("""
                controller: {adapter: {type: http-server}}
                component: {type: model, task: image-upscale, family: real-esrgan, model: a.param, action: {image: x}}
                components:
                  - {type: model, task: image-upscale, family: esrgan, model: b.param, action: {image: x}}
                  - {id: second, type: model, task: image-upscale, family: esrgan, model: c.param, default: true,
                     actions: [{image: x}, {id: other, image: y}]}
                workflows:
                  - jobs: [{component: second}, {id: b, depends_on: [__job__], component: second, action: other}]
                  - {id: named, job: {}}
                """);
        ComposeConfig c = p.config();
        assertEquals(List.of("__component__", "second"), c.components().stream().map(ComponentConfig::id).toList());
        assertEquals(List.of("__action__", "other"), c.components().get(1).actions().stream().map(ComponentConfig.ActionConfig::id).toList());
        assertEquals(List.of("__workflow__", "named"), c.workflows().stream().map(WorkflowConfig::id).toList());
        assertEquals(List.of("__job__", "b"), c.workflows().get(0).jobs().stream().map(JobConfig::id).toList());
        assertEquals(List.of(List.of("__job__")), c.workflows().get(0).jobs().get(1).dependsOn());
        assertTrue(p.diagnostics().stream().anyMatch(d -> d.path().equals("component") && d.message().contains("components")), p.diagnostics().toString());
    }

    @Test
    void reservedIdsAreRejected() {
        ComposeException e = schemaError(() -> load("""
                workflow: {id: __default__, job: {}}
                """));
        assertTrue(e.getMessage().startsWith("Config validation failed:"), e.getMessage());
        assertTrue(e.problems().get(0).startsWith("workflows[0].id: '__default__' is reserved"), e.problems().toString());
    }

    @Test
    void legacyFormsAreNormalised() {
        ComposeProject p = load("""
                controller:
                  type: http-server
                  port: 9000
                  base_path: /api
                  max_concurrent_count: 3
                workflow:
                  title: Old style
                  input: ${input}
                  output: ${output as image}
                component:
                  type: model
                  task: image-upscale
                  architecture: real-esrgan
                  model: x.param
                  scale: 2
                  image: ${input.image as image}
                  params:
                    tile_size: 512
                    tile_pad: 10
                """);
        ComposeConfig c = p.config();
        assertEquals(9000, c.controller().adapters().get(0).port());
        assertEquals("/api", c.controller().adapters().get(0).basePath());
        assertEquals(3, c.controller().maxConcurrentCount());
        WorkflowConfig w = c.workflows().get(0);
        assertNull(w.output());
        assertEquals("${input}", w.jobs().get(0).input());
        assertEquals("${output as image}", w.jobs().get(0).output());
        ImageUpscaleConfig u = (ImageUpscaleConfig) c.components().get(0);
        assertEquals("real-esrgan", u.family());
        assertEquals("custom", u.driver());
        assertEquals(2, u.scale());
        assertEquals("${input.image as image}", u.actions().get(0).image());
        assertEquals(512L, u.actions().get(0).params().tileSize());
        assertEquals(10L, u.actions().get(0).params().tilePadSize());
        assertTrue(p.diagnostics().stream().noneMatch(d -> d.severity() == Diagnostic.Severity.WARNING), p.diagnostics().toString());
    }

    @Test
    void unknownKeysAreWarnedWithFileAndLine() {
        ComposeProject p = load("""
                controller:
                  adapter: {type: http-server, prot: 8080}
                component:
                  type: model
                  task: image-upscale
                  family: real-esrgan
                  model: x.param
                  action:
                    image: ${input.image as image}
                    tile_size: 128
                    params: {tile_szie: 64}
                """);
        List<String> lines = p.diagnostics().stream().map(Diagnostic::toString).toList();
        assertTrue(lines.contains("model-compose.yml:2: controller.adapters[0].prot: unknown key, ignored (did you mean 'port'?)"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("model-compose.yml:10: components[0].actions[0].tile_size: ignored here")), lines.toString());
        assertTrue(lines.contains("model-compose.yml:11: components[0].actions[0].params.tile_szie: unknown key, ignored (did you mean 'tile_size'?)"),
                lines.toString());
    }

    @Test
    void schemaErrorsNameThePathOfTheBadKey() {
        ComposeException e = schemaError(() -> load(EXAMPLE.replace("scale: 4", "scale: four").replace("driver: gradio", "driver: tkinter")));
        assertTrue(e.problems().contains("controller.webui.driver: expected gradio, static or dynamic, got \"tkinter\" (model-compose.yml:7)"),
                e.problems().toString());
        assertTrue(e.problems().contains("components[0].scale: expected an integer, got \"four\" (model-compose.yml:25)"), e.problems().toString());

        e = schemaError(() -> load(EXAMPLE.replace("family: real-esrgan", "family: swinir").replace("port: 8080", "port: 70000")));
        assertTrue(e.problems().stream().anyMatch(s -> s.startsWith("components[0].family: family 'swinir' is not supported")), e.problems().toString());
        assertTrue(e.problems().stream().anyMatch(s -> s.startsWith("controller.adapters[0].port: must be between 1 and 65535")), e.problems().toString());

        e = schemaError(() -> load(EXAMPLE.replace("  action:\n    image: ${input.image as image}\n", "")));
        assertTrue(e.problems().get(0).startsWith("components[0].action: required"), e.problems().toString());

        e = schemaError(() -> load(EXAMPLE.replace("family: real-esrgan", "family: real-esrgan\n  driver: huggingface")));
        assertTrue(e.problems().get(0).startsWith("components[0].driver: task image-upscale supports only driver 'custom'"), e.problems().toString());
    }

    @Test
    void scaleAsTextAndWebuiAndWebsocketForms() {
        ComposeConfig c = load("""
                controller:
                  adapters:
                    - {type: http-server, websocket: false, origins: "https://a, https://b"}
                    - {type: http-server, port: 8090, websocket: true}
                  webui: {port: 7860}
                  shutdown_timeout: 2m
                component: {type: model, task: image-upscale, family: esrgan, model: x.param, scale: "4", action: {image: x}}
                """).config();
        assertNull(c.controller().adapters().get(0).websocket());
        assertEquals(List.of("https://a", "https://b"), c.controller().adapters().get(0).origins());
        assertEquals("/ws", c.controller().adapters().get(1).websocket().path());
        assertEquals("gradio", c.controller().webui().driver());
        assertEquals(Duration.ofMinutes(2), c.controller().shutdownTimeout());
        ImageUpscaleConfig u = (ImageUpscaleConfig) c.components().get(0);
        assertEquals(4, u.scale());
        assertEquals(new ImageUpscaleConfig.Params(0L, 10L, 0L, null, null, false), u.actions().get(0).params());
    }

    @Test
    void aWorkflowWithoutJobsGetsTheDefaultJobAndOtherComponentTypesLoadWithAWarning() {
        ComposeProject p = load("""
                workflow: {title: T}
                components:
                  - {id: http, type: http-client, endpoint: "https://x"}
                """);
        JobConfig j = p.config().workflows().get(0).jobs().get(0);
        assertEquals("__default__", j.componentId());
        assertNull(j.input());
        assertInstanceOf(UnsupportedComponentConfig.class, p.config().components().get(0));
        assertTrue(p.diagnostics().stream().anyMatch(d -> d.message().contains("type 'http-client' is not supported")), p.diagnostics().toString());
    }

    @Test
    void theRepositoryExamplesLoad() throws Exception {
        Path examples = dev.modelcompose.testing.TestAssets.repoRoot().resolve("examples/model-tasks/image-upscale");
        assertEquals(EXAMPLE, Files.readString(examples.resolve("model-compose.yml")), "the example is kept as upstream wrote it");
        for (String f : List.of("model-compose.yml", "model-compose.x2.yml", "model-compose.esrgan.yml", "model-compose.tiles.yml")) {
            ComposeProject p = ComposeLoader.load(new ComposeLoader.Options(examples, List.of(Path.of(f)), List.of(), List.of(), Map.of()));
            assertTrue(p.diagnostics().stream().noneMatch(d -> d.severity() == Diagnostic.Severity.WARNING), f + ": " + p.diagnostics());
            assertEquals("image-upscale", p.projectName());
            ImageUpscaleConfig u = (ImageUpscaleConfig) p.config().components().get(0);
            switch (f) {
                case "model-compose.x2.yml" -> assertEquals(2, u.scale());
                case "model-compose.esrgan.yml" -> assertEquals("esrgan", u.family());
                case "model-compose.tiles.yml" -> {
                    assertEquals(512L, u.actions().get(0).params().tileSize());
                    assertEquals(10L, u.actions().get(0).params().tilePadSize());
                }
                default -> assertEquals(1, u.maxConcurrentCount());
            }
        }
    }

    @Test
    void anchorsAndMergeKeysWork() {
        ComposeConfig c = load("""
                controller: {}
                x_common: &common {type: model, task: image-upscale, family: real-esrgan, action: {image: "${input.image as image}"}}
                components:
                  - {<<: *common, id: a, model: a.param}
                  - {<<: *common, id: b, model: b.param, scale: 2}
                """).config();
        assertEquals(2, c.components().size());
        assertEquals(2, ((ImageUpscaleConfig) c.components().get(1)).scale());
    }
}
