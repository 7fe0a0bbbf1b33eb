package dev.modelcompose.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.compose.ComposeException;
import dev.modelcompose.compose.ComposeLoader;
import dev.modelcompose.compose.ComposeProject;
import dev.modelcompose.expr.ByteSource;
import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.UpscaleJob;
import dev.modelcompose.upscale.ModelOptions;
import dev.modelcompose.upscale.UpscaleOptions;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime with a fake nearest-neighbour model: workflows, jobs, the component's rules, concurrency. */
class ComposeRuntimeTest {
    @TempDir
    Path dir;

    /** A model that repeats pixels, with the scale its file name says ({@code fake-x2.param}) and a record of calls. */
    static final class FakeEngines implements UpscaleEngine.Factory {
        final List<ModelOptions> opened = new CopyOnWriteArrayList<>();
        final List<UpscaleOptions> calls = new CopyOnWriteArrayList<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        volatile long sleepMs;

        @Override
        public UpscaleEngine open(ModelFiles files, ModelOptions options) {
            opened.add(options);
            String name = files.name();
            int scale = name.matches(".*-x\\d") ? name.charAt(name.length() - 1) - '0' : 4;
            return new UpscaleEngine() {
                @Override
                public int scale() {
                    return scale;
                }

                @Override
                public BufferedImage upscale(BufferedImage in, UpscaleOptions call, UpscaleJob job) {
                    calls.add(call);
                    int now = running.incrementAndGet();
                    maxRunning.accumulateAndGet(now, Math::max);
                    try {
                        if (sleepMs > 0) Thread.sleep(sleepMs);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        running.decrementAndGet();
                    }
                    boolean alpha = in.getColorModel().hasAlpha();
                    BufferedImage out = new BufferedImage(in.getWidth() * scale, in.getHeight() * scale,
                            alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < out.getHeight(); y++)
                        for (int x = 0; x < out.getWidth(); x++) out.setRGB(x, y, in.getRGB(x / scale, y / scale));
                    return out;
                }

                @Override
                public void close() {}
            };
        }
    }

    final FakeEngines engines = new FakeEngines();
    final List<String> provisioned = Collections.synchronizedList(new ArrayList<>());

    private ComposeRuntime runtime(String yaml) {
        ComposeProject p = ComposeLoader.loadString(yaml, "model-compose.yml", dir, Map.of());
        ModelSource models = (model, family, scale) -> {
            provisioned.add(model + "|" + family + "|" + scale);
            return ModelFiles.of(dir.resolve(String.valueOf(model)));
        };
        return ComposeRuntime.create(p, new RuntimeOptions(models, engines, false, null));
    }

    static final String EXAMPLE = """
            controller: {adapter: {type: http-server, port: 8080, base_path: /api}}
            workflow:
              title: Upscale Image
              job: {input: "${input}", output: "${output as image}"}
            component:
              type: model
              task: image-upscale
              family: real-esrgan
              model: fake-x4.param
              scale: 4
              max_concurrent_count: 1
              action:
                image: ${input.image as image}
            """;

    private static BufferedImage image(int w, int h, boolean alpha) {
        BufferedImage img = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (alpha ? (x * 10) << 24 : 0xFF000000) | (x * 9) << 16 | (y * 7) << 8 | 5);
        return img;
    }

    private static ByteSource upload(BufferedImage img) throws Exception {
        return ByteSource.of(ImageFiles.encode(img, ImageFormat.PNG), "image/png", "in.png");
    }

    @Test
    void theExampleUpscalesAnUploadFourTimes() throws Exception {
        try (ComposeRuntime rt = runtime(EXAMPLE)) {
            BufferedImage out = assertInstanceOf(BufferedImage.class, rt.run(null, Map.of("image", upload(image(20, 12, false)))));
            assertEquals(80, out.getWidth());
            assertEquals(48, out.getHeight());
            BufferedImage rgba = (BufferedImage) rt.run("__workflow__", Map.of("image", upload(image(16, 16, true))));
            assertTrue(rgba.getColorModel().hasAlpha());
            assertEquals(64, rgba.getWidth());
            assertEquals(1, engines.opened.size(), "the model is loaded once");
            assertEquals(List.of("fake-x4.param|real-esrgan|4"), provisioned);
            // unset tile parameters: an automatic tile with the model's own halo (not upstream's 192 / 24)
            for (UpscaleOptions o : engines.calls) {
                assertEquals(0, o.tileSize());
                assertEquals(-1, o.tilePad());
                assertEquals(15, o.prePad());
            }
            assertEquals(ModelOptions.CPU, engines.opened.get(0).device());
        }
    }

    @Test
    void stringsAreRejectedOverTheNetworkButDataUrisWork() throws Exception {
        try (ComposeRuntime rt = runtime(EXAMPLE)) {
            Task t = rt.submit(null, Map.of("image", "/home/me/x.png"));
            assertThrows(WorkflowException.class, t::await);
            assertEquals(TaskStatus.FAILED, t.status());
            assertTrue(t.error().startsWith("`image` requires an image or raw image bytes, got str"), t.error());
            String uri = "data:image/png;base64," + Base64.getEncoder().encodeToString(ImageFiles.encode(image(3, 2, false), ImageFormat.PNG));
            assertEquals(12, ((BufferedImage) rt.run(null, Map.of("image", uri))).getWidth());

            WorkflowException none = assertThrows(WorkflowException.class, () -> rt.run(null, Map.of()));
            assertTrue(none.getMessage().startsWith("image is required"), none.getMessage());
        }
    }

    @Test
    void workflowIdsResolveByDefaultRulesAndProjectName() throws Exception {
        Path project = Files.createDirectories(dir.resolve("image-upscale"));
        Files.writeString(project.resolve("model-compose.yml"), EXAMPLE);
        ComposeProject p = ComposeLoader.load(new ComposeLoader.Options(project, List.of(), List.of(), List.of(), Map.of()));
        try (ComposeRuntime rt = ComposeRuntime.create(p, new RuntimeOptions((m, f, s) -> ModelFiles.of(dir.resolve("fake-x4.param")), engines, false, null))) {
            assertEquals("__workflow__", rt.workflow(null).id());
            assertEquals("__workflow__", rt.workflow("__default__").id());
            assertEquals("__workflow__", rt.workflow("image-upscale").id());
            assertEquals("__workflow__", rt.workflow("upscale-image").id());
            WorkflowNotFoundException e = assertThrows(WorkflowNotFoundException.class, () -> rt.workflow("nope"));
            assertEquals("Workflow not found: nope (available: __workflow__)", e.getMessage());
            assertThrows(WorkflowNotFoundException.class, () -> rt.submit("nope", Map.of()));
        }
        try (ComposeRuntime rt = runtime("""
                workflows:
                  - {id: a, job: {component: c}}
                  - {id: b, job: {component: c}}
                components: [{id: c, type: model, task: image-upscale, family: real-esrgan, model: fake-x4.param, action: {image: x}}]
                """)) {
            WorkflowNotFoundException e = assertThrows(WorkflowNotFoundException.class, () -> rt.workflow(null));
            assertTrue(e.getMessage().contains("none has default: true"), e.getMessage());
            assertEquals("b", rt.workflow("b").id());
        }
    }

    @Test
    void maxConcurrentCountOneRunsUpscalesOneAtATime() throws Exception {
        engines.sleepMs = 80;
        try (ComposeRuntime rt = runtime(EXAMPLE)) {
            List<Task> tasks = new ArrayList<>();
            for (int i = 0; i < 4; i++) tasks.add(rt.submit(null, Map.of("image", upload(image(4, 4, false)))));
            for (Task t : tasks) assertInstanceOf(BufferedImage.class, t.await());
            assertEquals(1, engines.maxRunning.get());
            assertTrue(tasks.stream().allMatch(t -> t.status() == TaskStatus.COMPLETED && t.id().length() == 26));
            assertTrue(rt.task(tasks.get(0).id()).isPresent());
        }
        engines.maxRunning.set(0);
        try (ComposeRuntime rt = runtime(EXAMPLE.replace("max_concurrent_count: 1", "max_concurrent_count: 0"))) {
            List<Task> tasks = new ArrayList<>();
            for (int i = 0; i < 4; i++) tasks.add(rt.submit(null, Map.of("image", upload(image(4, 4, false)))));
            for (Task t : tasks) t.await();
            assertTrue(engines.maxRunning.get() > 1, "unbounded runs overlap");
        }
    }

    @Test
    void scaleMismatchAndGpuDevicesAreClearErrors() throws Exception {
        try (ComposeRuntime rt = runtime(EXAMPLE.replace("scale: 4", "scale: 2"))) {
            WorkflowException e = assertThrows(WorkflowException.class, () -> rt.run(null, Map.of("image", upload(image(2, 2, false)))));
            assertEquals("component '__component__': scale 2 does not match the model fake-x4, which upscales x4 (set scale: 4, or use a x2 model)",
                    e.getMessage());
        }
        String cuda = EXAMPLE.replace("scale: 4", "scale: 4\n  device: cuda:7");
        try (ComposeRuntime rt = runtime(cuda)) {
            WorkflowException e = assertThrows(WorkflowException.class, () -> rt.run(null, Map.of("image", upload(image(2, 2, false)))));
            assertTrue(e.getMessage().contains("device 'cuda:7' is not available; the devices are: "), e.getMessage());
            assertTrue(e.getMessage().contains("-1 = the CPU"), e.getMessage());
            List<String> problems = ComposeRuntime.check(rt.config());
            assertEquals(1, problems.size());
            assertTrue(problems.get(0).startsWith("components[0].device: device 'cuda:7' is not available"), problems.get(0));
        }
        try (ComposeRuntime rt = runtime(EXAMPLE.replace("scale: 4", "scale: 4\n  device: cpu"))) {
            assertEquals(List.of(), ComposeRuntime.check(rt.config()));
        }
    }

    @Test
    void aDeviceListSharesTheTilesAndBadListsAreClearErrors() throws Exception {
        try (ComposeRuntime rt = runtime(EXAMPLE.replace("scale: 4", "scale: 4\n  device: [cpu, -1]"))) {
            WorkflowException e = assertThrows(WorkflowException.class, () -> rt.run(null, Map.of("image", upload(image(2, 2, false)))));
            assertEquals("device 'cpu,-1' names a device twice; list each device once, e.g. device: [0, cpu]", e.getMessage());
        }
        try (ComposeRuntime rt = runtime(EXAMPLE.replace("scale: 4", "scale: 4\n  device: [cpu, cuda:7]"))) {
            List<String> problems = ComposeRuntime.check(rt.config());
            assertEquals(1, problems.size());
            assertTrue(problems.get(0).startsWith("components[0].device: device 'cuda:7' is not available"), problems.get(0));
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.modelcompose.upscale.GpuDevices.list().isEmpty(), "no Vulkan device (CI has lavapipe)");
        try (ComposeRuntime rt = runtime(EXAMPLE.replace("scale: 4", "scale: 4\n  device: [vulkan:0, cpu]"))) {
            rt.run(null, Map.of("image", upload(image(2, 2, false))));
            assertArrayEquals(new int[] {0, ModelOptions.CPU}, engines.opened.get(0).devices());
        }
    }

    @Test
    void precisionSelectsTheVulkanStorageAndAcceptsTorchSpellings() throws Exception {
        try (ComposeRuntime rt = runtime(EXAMPLE.replace("scale: 4", "scale: 4\n  precision: float16"))) {
            rt.run(null, Map.of("image", upload(image(2, 2, false))));
            assertEquals(dev.modelcompose.upscale.Precision.FP16, engines.opened.get(0).precision());
        }
        ComposeException e = assertThrows(ComposeException.class, () -> runtime(EXAMPLE.replace("scale: 4", "scale: 4\n  precision: int8")));
        assertTrue(e.getMessage().contains("precision: expected auto, fp16, fp32 or bf16, got 'int8'"), e.getMessage());
    }

    @Test
    void paramsMapToUpscaleOptionsAndTemplatesRenderPerRun() throws Exception {
        String yaml = EXAMPLE.replace("    image: ${input.image as image}\n", """
                    image: ${input.image as image}
                    params: {tile_size: "${input.tile as integer | 64}", tile_pad: 6, pre_pad_size: 2, tile_batch_size: 8}
                """);
        try (ComposeRuntime rt = runtime(yaml)) {
            rt.run(null, Map.of("image", upload(image(2, 2, false))));
            rt.run(null, Map.of("image", upload(image(2, 2, false)), "tile", "128"));
            rt.run(null, Map.of("image", upload(image(2, 2, false)), "tile", 128L));
        }
        assertEquals(1, engines.opened.size(), "one model for every run, whatever its options");
        assertEquals(List.of(64, 128, 128), engines.calls.stream().map(UpscaleOptions::tileSize).toList());
        assertEquals(6, engines.calls.get(0).tilePad());
        assertEquals(2, engines.calls.get(0).prePad());
    }

    @Test
    void multiJobWorkflowsFollowDependsOnAndMapOutputs() throws Exception {
        String yaml = """
                workflow:
                  title: Two sizes
                  output:
                    small: ${jobs.x2.output as base64}
                    big: ${jobs.x4-again.output.encoded}
                    size: ${input.size | unknown}
                  jobs:
                    - id: x2
                      component: two
                      input: {image: "${input.photo}"}
                    - id: x4-again
                      component: four
                      depends_on: [x2]
                      input: {image: "${jobs.x2.output}"}
                      output: {encoded: "${output}"}
                components:
                  - {id: two, type: model, task: image-upscale, family: real-esrgan, model: fake-x2.param, scale: 2,
                     action: {image: "${input.image as image}"}}
                  - {id: four, type: model, task: image-upscale, family: esrgan, model: fake-x4.param,
                     action: {image: "${input.image as image}", color_format: bgr, output: "${result as base64}"}}
                """;
        try (ComposeRuntime rt = runtime(yaml)) {
            assertEquals(List.of(), ComposeRuntime.check(rt.config()));
            BufferedImage photo = image(3, 2, false);
            @SuppressWarnings("unchecked")
            Map<String, Object> out = (Map<String, Object>) rt.run(null, Map.of("photo", upload(photo)));
            assertEquals(6, ImageFiles.read(Base64.getDecoder().decode((String) out.get("small")), "x").getWidth());
            BufferedImage big = ImageFiles.read(Base64.getDecoder().decode((String) out.get("big")), "x");
            assertEquals(24, big.getWidth());
            assertEquals(photo.getRGB(2, 1) & 0xFFFFFF, big.getRGB(23, 15) & 0xFFFFFF, "bgr is swapped back after the model");
            assertEquals("unknown", out.get("size"));
        }
    }

    @Test
    void terminalOutputsMergeAndRepeatCountGivesLists() throws Exception {
        String yaml = """
                workflow:
                  jobs:
                    - {id: a, input: {image: "${input.image}"}, output: {a: "${output as base64}"}}
                    - {id: b, output: {b: done}}
                    - {id: c, repeat_count: "${input.n}", output: "${output as base64}"}
                    - {id: d, depends_on: [c], output: {count: "${jobs.c.output}"}}
                component: {type: model, task: image-upscale, family: real-esrgan, model: fake-x2.param, action: {image: "${input.image as image}"}}
                """;
        try (ComposeRuntime rt = runtime(yaml)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> out = (Map<String, Object>) rt.run(null, Map.of("image", upload(image(2, 2, false)), "n", 3L));
            assertEquals(List.of("a", "b", "count"), List.copyOf(out.keySet()));
            assertEquals("done", out.get("b"));
            assertEquals(3, ((List<?>) out.get("count")).size());
        }
    }

    @Test
    void schemasAreInferredFromTheTemplates() {
        try (ComposeRuntime rt = runtime(EXAMPLE)) {
            WorkflowSchema s = rt.schema(null);
            assertEquals("__workflow__", s.workflowId());
            assertEquals("Upscale Image", s.title());
            assertEquals(List.of(new WorkflowSchema.Variable("image", "image", false, null, null, null, Map.of())), s.input());
            assertEquals(List.of(new WorkflowSchema.Variable(null, "image", false, null, null, null, Map.of())), s.output());
        }
        try (ComposeRuntime rt = runtime("""
                workflow:
                  output: {video: "${jobs.j.output as base64}", meta: {rate: "${input.frame_rate as number | 30}"}}
                  job: {id: j, input: {image: "${input.frame as image;path}", n: "${input.n}"}}
                component: {type: model, task: image-upscale, family: real-esrgan, model: fake-x4.param, action: {image: "${input.image as image}"}}
                """)) {
            WorkflowSchema s = rt.schema(null);
            assertEquals(List.of("frame", "n", "frame_rate"), s.input().stream().map(WorkflowSchema.Variable::name).toList());
            assertEquals("path", s.input().get(0).format());
            assertEquals("string", s.input().get(1).type());
            assertEquals(30.0, s.input().get(2).defaultValue());
            assertEquals(List.of("video", "meta.rate"), s.output().stream().map(WorkflowSchema.Variable::name).toList());
        }
    }

    @Test
    void semanticChecksFindBrokenReferences() {
        try (ComposeRuntime rt = runtime("""
                workflow:
                  jobs:
                    - {id: a, component: missing}
                    - {id: b, depends_on: [nope], action: other}
                    - {id: c, depends_on: [d]}
                    - {id: d, depends_on: [c]}
                component: {type: model, task: image-upscale, family: real-esrgan, model: fake-x4.param, action: {image: x}}
                """)) {
            List<String> problems = ComposeRuntime.check(rt.config());
            assertTrue(problems.contains("workflows[0].jobs[0].component: component 'missing' not found"), problems.toString());
            assertTrue(problems.contains("workflows[0].jobs[1].action: action 'other' not found in component '__component__'"), problems.toString());
            assertTrue(problems.contains("workflows[0].jobs[1].depends_on: no job 'nope' in workflow '__workflow__'"), problems.toString());
            assertTrue(problems.contains("workflows[0]: depends_on forms a cycle"), problems.toString());
        }
    }

    @Test
    void cancellingAQueuedTaskSkipsIt() throws Exception {
        engines.sleepMs = 300;
        try (ComposeRuntime rt = runtime(EXAMPLE.replace("controller: {", "controller: {max_concurrent_count: 1, "))) {
            Task first = rt.submit(null, Map.of("image", upload(image(2, 2, false))));
            Task second = rt.submit(null, Map.of("image", upload(image(2, 2, false))));
            assertTrue(second.cancel());
            assertEquals(TaskStatus.CANCELLED, second.status());
            assertThrows(TaskCancelledException.class, second::await);
            first.await();
            assertEquals(TaskStatus.COMPLETED, first.status());
            assertTrue(!first.cancel(), "a finished task cannot be cancelled");
            assertTrue(second.await(1, TimeUnit.SECONDS));
        }
    }

    @Test
    void finishedTasksPastTheOutputBudgetAreForgottenOldestFirst() throws Exception {
        try (ComposeRuntime rt = runtime(EXAMPLE)) {
            rt.retainOutputsUpTo(2 * 32 * 32 * 4);  // two 32x32 outputs
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Task t = rt.submit(null, Map.of("image", upload(image(8, 8, false))));
                assertInstanceOf(BufferedImage.class, t.await());
                ids.add(t.id());
            }
            List<Boolean> expected = List.of(false, false, false, true, true);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            List<Boolean> kept;
            while (true) {  // a task joins the retained ones just after its waiters wake
                kept = ids.stream().map(id -> rt.task(id).isPresent()).toList();
                if (kept.equals(expected) || System.nanoTime() > deadline) break;
                Thread.sleep(10);
            }
            assertEquals(expected, kept);

            rt.retainOutputsUpTo(32 * 32 * 4);
            assertTrue(rt.task(ids.get(4)).isPresent());
            assertTrue(rt.task(ids.get(3)).isEmpty());
            rt.retainOutputsUpTo(0);
            assertTrue(rt.task(ids.get(4)).isEmpty(), "nothing is kept above the budget, not even the newest (issue 13)");
        }
    }
}
