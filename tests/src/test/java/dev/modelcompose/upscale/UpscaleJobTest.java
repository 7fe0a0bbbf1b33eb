package dev.modelcompose.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.testing.TestAssets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Progress reports and cancellation of a running upscale. */
class UpscaleJobTest {
    private static final UpscaleOptions SMALL_TILES = UpscaleOptions.defaults().withTileSize(32);

    @Test
    void progressIsMonotonicAndEndsComplete() {
        List<UpscaleJob.Progress> reports = new CopyOnWriteArrayList<>();
        try (Model u = Model.load(TestAssets.model("realesrgan-x4fast"))) {
            u.upscale(SyntheticImages.rgb(160, 96, 2), SMALL_TILES, new UpscaleJob(reports::add));
        }
        assertTrue(reports.size() >= 2, "expected reports while running, got " + reports);
        for (int i = 1; i < reports.size(); i++)
            assertTrue(reports.get(i).fraction() >= reports.get(i - 1).fraction(), "progress went backwards: " + reports);
        UpscaleJob.Progress last = reports.get(reports.size() - 1);
        assertEquals(1.0, last.fraction());
        assertEquals(15, last.tilesTotal());
        assertEquals(15, last.tilesDone());
    }

    @Test
    void cancelStopsTheJobAndTheModelStaysUsable() {
        try (Model u = Model.load(TestAssets.model("realesrgan-x4fast"))) {
            UpscaleJob[] holder = new UpscaleJob[1];
            holder[0] = new UpscaleJob(p -> {
                if (p.tilesDone() >= 1) holder[0].cancel();
            });
            long start = System.nanoTime();
            assertThrows(UpscaleCancelledException.class, () -> u.upscale(SyntheticImages.rgb(320, 320, 3), SMALL_TILES, holder[0]));
            assertTrue(holder[0].isCancelled());
            // 100 tiles would take far longer than the few tiles done before the cancel took effect.
            PixelBuffer after = u.upscale(SyntheticImages.rgb(20, 10, 4), SMALL_TILES, new UpscaleJob());
            assertEquals(80, after.width());
            assertTrue(System.nanoTime() - start > 0);
        }
    }

    @Test
    void aJobCancelledBeforeItStartsDoesNoWork() {
        try (Model u = Model.load(TestAssets.model("realesr-animevideov3-x4"))) {
            UpscaleJob job = new UpscaleJob();
            job.cancel();
            assertThrows(UpscaleCancelledException.class, () -> u.upscale(SyntheticImages.rgb(64, 64, 1), UpscaleOptions.defaults(), job));
        }
    }

    @Test
    void ttaAveragesTheEightSymmetries() {
        PixelBuffer image = SyntheticImages.rgb(40, 28, 7);
        UpscaleOptions tta = UpscaleOptions.defaults().withTta(true);
        try (Model model = Model.load(TestAssets.model("realesr-animevideov3-x4"))) {
            PixelBuffer a = model.upscale(image, UpscaleOptions.defaults(), new UpscaleJob()), b = model.upscale(image, tta, new UpscaleJob());
            ImageDiff diff = ImageDiff.of(b, a, false);
            // TTA changes the result, but only in detail: no value moves by a quarter of the range.
            assertTrue(diff.max() > 0, "TTA should differ from a single pass");
            assertTrue(diff.max() < 64, "TTA should stay close to a single pass: " + diff);
            // A transposed input through TTA gives the transposed output (the average is symmetric).
            PixelBuffer transposed = transpose(image);
            PixelBuffer back = transpose(model.upscale(transposed, tta, new UpscaleJob()));
            assertTrue(ImageDiff.of(back, b, false).max() <= 1, "TTA output should be transpose-equivariant");
        }
    }

    private static PixelBuffer transpose(PixelBuffer p) {
        int w = p.width(), h = p.height(), c = p.channels();
        byte[] out = new byte[p.pixels().length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                System.arraycopy(p.pixels(), (y * w + x) * c, out, (x * h + y) * c, c);
        return new PixelBuffer(h, w, c, out);
    }
}
