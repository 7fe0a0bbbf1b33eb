package dev.modelcompose.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.modelcompose.conformance.OpCases.OpCase;
import dev.modelcompose.testing.NcnnModelWriter;
import dev.modelcompose.testing.OpModels;
import dev.modelcompose.testing.ReferenceOps;
import dev.modelcompose.upscale.Activation;
import dev.modelcompose.upscale.Model;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.UnsupportedLayerException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every op case of {@link OpCases} on every backend this machine has ({@link TestedBackend#available()}), against the
 * independent double-precision reference ({@link ReferenceOps}). A backend either matches the reference within its
 * tolerance or refuses the model when it loads, naming the layer and itself; which ops each backend lacks is declared
 * in {@link #GAPS}, so a gap that opens or closes fails here until the table says so. Prints which backends ran.
 */
class OpConformanceTest {
    /** Op kinds a backend has no implementation of (by backend name prefix). */
    private static final Map<String, Set<String>> GAPS = Map.of("vulkan", Set.of("Deconvolution"));

    private static final AtomicInteger MODELS = new AtomicInteger();
    private static final Map<String, AtomicInteger> PASSED = new ConcurrentHashMap<>(), REFUSED = new ConcurrentHashMap<>();

    @TempDir
    static Path dir;

    @BeforeAll
    static void announce() {
        List<TestedBackend> backends = TestedBackend.available();
        System.out.println("op conformance: backends " + backends + (TestedBackend.missing().isEmpty() ? "" : "; skipped: " + TestedBackend.missing()));
    }

    @AfterAll
    static void report() {
        Map<String, String> lines = new TreeMap<>();
        for (TestedBackend b : TestedBackend.available())
            lines.put(b.name(), count(PASSED, b) + " cases match the reference, " + count(REFUSED, b) + " refused at load as declared");
        lines.forEach((b, line) -> System.out.println("op conformance " + b + ": " + line));
    }

    private static int count(Map<String, AtomicInteger> counts, TestedBackend b) {
        AtomicInteger n = counts.get(b.name());
        return n == null ? 0 : n.get();
    }

    @TestFactory
    Stream<DynamicContainer> everyCaseOnEveryBackend() {
        List<TestedBackend> backends = TestedBackend.available();
        List<DynamicContainer> containers = new ArrayList<>();
        for (OpCase c : OpCases.all()) {
            List<Activation> expected = c.inputs().stream().map(in -> ReferenceOps.forward(c.model(), in)).toList();
            ModelFiles files = c.model().write(dir, "op" + MODELS.incrementAndGet());
            containers.add(DynamicContainer.dynamicContainer(c.name(),
                    backends.stream().map(b -> DynamicTest.dynamicTest(b.name(), () -> check(c, expected, files, b)))));
        }
        return containers.stream();
    }

    private static void check(OpCase c, List<Activation> expected, ModelFiles files, TestedBackend backend) {
        String gap = gapOf(c.model(), backend);
        Model model;
        try {
            model = Model.load(files, backend.options());
        } catch (UnsupportedLayerException e) {
            if (gap == null) fail(backend + " refused a model it should run: " + e.getMessage());
            assertTrue(e.getMessage().contains("'" + gap.split(":")[1] + "'") && e.getMessage().contains(gap.split(":")[0]) && e.getMessage().contains("Vulkan device"),
                    "the refusal should name the layer and its type: " + e.getMessage());
            REFUSED.computeIfAbsent(backend.name(), k -> new AtomicInteger()).incrementAndGet();
            return;
        }
        try (model) {
            if (gap != null) fail(backend + " loaded " + gap + ", which the table of gaps says it lacks: update GAPS");
            for (int i = 0; i < c.inputs().size(); i++) {
                Activation in = c.inputs().get(i);
                OpModels.assertClose(expected.get(i), model.forward(in), backend.toleranceFor(c.magnitude()), false, "reference", backend.name(),
                        c.name() + ", input " + in.channels() + "x" + in.height() + "x" + in.width() + ", model:\n" + c.model().paramText());
            }
        }
        PASSED.computeIfAbsent(backend.name(), k -> new AtomicInteger()).incrementAndGet();
    }

    /** "Type:layer name" of the model's first layer whose type the backend lacks, or null. */
    private static String gapOf(NcnnModelWriter model, TestedBackend backend) {
        Set<String> missing = GAPS.getOrDefault(backend.name().split(" ")[0], Set.of());
        for (NcnnModelWriter.Layer l : model.layers())
            if (missing.contains(l.type())) return l.type() + ":" + l.name();
        return null;
    }

    @TestFactory
    Stream<DynamicTest> oneModelRunsManyShapesInTurn() {
        // per-shape plans and buffers (compiled primitives, Vulkan plans, CPU slots) must not leak between shapes
        return TestedBackend.available().stream().map(b -> DynamicTest.dynamicTest(b.name(), () -> {
            java.util.Random r = new java.util.Random(99);
            NcnnModelWriter m = OpCases.denseBlock(r, 8, 4);
            try (Model model = Model.load(m.write(dir, "shapes" + MODELS.incrementAndGet()), b.options())) {
                for (int[] size : new int[][] {{16, 24}, {11, 13}, {24, 16}, {1, 1}, {40, 33}, {16, 24}, {5, 3}, {11, 13}, {40, 33}}) {
                    Activation in = OpModels.random(r, 3, size[0], size[1], -1, 1);
                    OpModels.assertClose(ReferenceOps.forward(m, in), model.forward(in), b.toleranceFor(1), false, "reference", b.name(),
                            size[0] + "x" + size[1]);
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> twoModelsShareOneBackend() {
        return TestedBackend.available().stream().map(b -> DynamicTest.dynamicTest(b.name(), () -> {
            java.util.Random r = new java.util.Random(98);
            NcnnModelWriter a = OpCases.denseBlock(r, 8, 4), c = OpModels.eltwiseModel(r, 1, new double[] {0.5, 2}, 2);
            try (Model ma = Model.load(a.write(dir, "share-a" + MODELS.incrementAndGet()), b.options());
                 Model mc = Model.load(c.write(dir, "share-c" + MODELS.incrementAndGet()), b.options())) {
                Activation in = OpModels.random(r, 3, 10, 9, -1, 1);
                for (int i = 0; i < 2; i++) {
                    OpModels.assertClose(ReferenceOps.forward(a, in), ma.forward(in), b.toleranceFor(1), false, "reference", b.name(), "a");
                    OpModels.assertClose(ReferenceOps.forward(c, in), mc.forward(in), b.toleranceFor(1), false, "reference", b.name(), "c");
                }
                assertEquals(3, ma.forward(in).channels());
            }
        }));
    }
}
