package dev.modelcompose.upscale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.modelcompose.testing.TestAssets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The output streamed in bands of rows (for images larger than memory) is the same image the whole-image call makes:
 * bands arrive top to bottom, contiguous, one per row of tiles, alpha included; a consumer that fails stops the upscale.
 */
class BandOutputTest {
    private static final ModelFiles MODEL = TestAssets.model("realesr-animevideov3-x2");

    /** Collects the bands into one buffer, checking their order. */
    private static final class Collector implements Model.BandConsumer {
        final byte[] pixels;
        final int rowBytes;
        final List<int[]> bands = new ArrayList<>();
        int next;

        Collector(int width, int height, int channels) {
            rowBytes = width * channels;
            pixels = new byte[rowBytes * height];
        }

        @Override
        public void accept(int y0, int rows, ByteBuffer band) {
            assertEquals(next, y0, "bands arrive top to bottom, without gaps");
            assertEquals((long) rows * rowBytes, band.remaining());
            band.get(pixels, y0 * rowBytes, rows * rowBytes);
            bands.add(new int[] {y0, rows});
            next = y0 + rows;
        }
    }

    @Test
    void bandsMakeTheSameImageAsTheWholeCall() throws IOException {
        for (int channels : new int[] {3, 4, 1}) {
            PixelBuffer image = channels == 4 ? SyntheticImages.rgba(70, 45, 5) : SyntheticImages.rgb(70, 45, 5);
            if (channels == 1) image = gray(image);
            UpscaleOptions tiles = UpscaleOptions.defaults().withTileSize(32);
            try (Model model = Model.load(MODEL)) {
                PixelBuffer whole = model.upscale(image, tiles);
                Collector c = new Collector(whole.width(), whole.height(), channels);
                model.upscale(image, tiles, new UpscaleJob(), c);
                assertEquals(whole.height(), c.next, "every row arrived");
                assertEquals(2, c.bands.size(), "one band per row of 32 px tiles over 45 px");
                assertEquals(64, c.bands.get(0)[1]);
                assertArrayEquals(whole.pixels(), c.pixels, channels + " channels: bands differ from the whole image");
            }
        }
    }

    @Test
    void aConsumerThatFailsStopsTheUpscaleAndItsErrorComesBack() {
        PixelBuffer image = SyntheticImages.rgb(70, 200, 6);
        try (Model model = Model.load(MODEL)) {
            IOException disk = new IOException("disk full");
            List<Integer> seen = new ArrayList<>();
            IOException e = assertThrows(IOException.class, () -> model.upscale(image, UpscaleOptions.defaults().withTileSize(32), new UpscaleJob(),
                    (y0, rows, band) -> {
                        seen.add(y0);
                        throw disk;
                    }));
            assertSame(disk, e);
            assertEquals(List.of(0), seen, "no band after the failure");
            // the model still works
            assertEquals(140, model.upscale(SyntheticImages.rgb(70, 10, 1)).width());
        }
    }

    private static PixelBuffer gray(PixelBuffer rgb) {
        byte[] g = new byte[rgb.width() * rgb.height()];
        for (int i = 0; i < g.length; i++) g[i] = rgb.pixels()[i * 3];
        return new PixelBuffer(rgb.width(), rgb.height(), 1, g);
    }
}
