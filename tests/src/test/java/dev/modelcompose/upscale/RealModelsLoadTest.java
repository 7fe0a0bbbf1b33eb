package dev.modelcompose.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.nativelib.RunnerNative;
import dev.modelcompose.nativelib.RunnerNative.NativeModel;
import dev.modelcompose.testing.TestAssets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The six distributed models load with the scale, channels and layer counts of docs/esrgan-runner.md §1-2. */
class RealModelsLoadTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "realesrgan-x4plus,       4, 999",
        "realesrgan-x4plus-anime, 4, 268",
        "realesrgan-x4fast,       4, 72",
        "realesr-animevideov3-x2, 2, 41",
        "realesr-animevideov3-x3, 3, 41",
        "realesr-animevideov3-x4, 4, 40",
    })
    void loadsWithExpectedScaleChannelsAndLayers(String name, int scale, int layers) throws Exception {
        ModelFiles files = TestAssets.model(name);
        List<String> lines = Files.readAllLines(files.param());
        assertEquals("7767517", lines.get(0).trim());
        assertEquals(layers, Integer.parseInt(lines.get(1).trim().split("\\s+")[0]), "layer count in the .param header");

        try (Model u = Model.load(files)) {
            assertEquals(scale, u.scale(), "scale");
            assertEquals(3, u.inputChannels(), "input channels");
            assertTrue(u.receptiveRadius() > 0, "receptive radius");
        }
        // Model does not expose the layer count or output channels; the binding does.
        NativeLibrary.require();
        try (RunnerNative.Status status = new RunnerNative.Status();
             NativeModel m = new NativeModel(files.param().toString(), files.bin().toString(), new int[] {-1}, 0, status)) {
            assertEquals(0, status.code(), status.message());
            assertEquals(layers, m.layerCount(), "layers loaded");
            assertEquals(scale, m.scale());
            assertEquals(3, m.inputChannels());
            assertEquals(3, m.outputChannels(), "output channels");
        }
    }

    @Test
    void animeVideoX4UpscalesA40x30Image() {
        int w = 40, h = 30;
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                px[i] = (byte) (x * 6);
                px[i + 1] = (byte) (y * 8);
                px[i + 2] = (byte) 128;
            }
        try (Model u = Model.load(TestAssets.model("realesr-animevideov3-x4"))) {
            PixelBuffer out = u.upscale(new PixelBuffer(w, h, 3, px));
            assertEquals(160, out.width());
            assertEquals(120, out.height());
            assertEquals(3, out.channels());
            assertEquals(160 * 120 * 3, out.pixels().length);
            // a smooth gradient stays close to its input on average (the network is not producing noise)
            double[] inMean = mean(px, 3), outMean = mean(out.pixels(), 3);
            for (int c = 0; c < 3; c++)
                assertEquals(inMean[c], outMean[c], 8.0, "mean of channel " + c);
        }
    }

    private static double[] mean(byte[] px, int channels) {
        double[] sum = new double[channels];
        for (int i = 0; i < px.length; i++) sum[i % channels] += px[i] & 0xFF;
        for (int c = 0; c < channels; c++) sum[c] /= px.length / channels;
        return sum;
    }

    @Test
    void officialBinaryIsPresent() {
        assertTrue(Files.isExecutable(TestAssets.officialBinary()));
        assertTrue(Files.isDirectory(TestAssets.models()));
    }
}
