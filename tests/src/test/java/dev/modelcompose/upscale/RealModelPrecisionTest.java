package dev.modelcompose.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.testing.NativeTesting;
import dev.modelcompose.testing.TestAssets;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real models on real photos, on every CPU level this machine runs, against PyTorch in fp32 (an independent
 * implementation, bench/torch_esrgan.py, same pre-pad, no tiling): the fp32 paths keep at least 99.9 % of 8-bit values
 * within ±1 of it; the bf16 mode's PSNR against it is at least what PyTorch's own bf16 autocast reaches on the same crop.
 */
@Tag("torch")
class RealModelPrecisionTest {
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"realesrgan-x4plus, chelsea, 150, 70, 96, 72", "realesr-animevideov3-x4, coffee, 200, 80, 240, 176"})
    void everyCpuPathAgainstPyTorch(String model, String photo, int x, int y, int w, int h) throws Exception {
        BufferedImage crop = ImageFiles.read(TestAssets.photo(photo)).getSubimage(x, y, w, h);
        Path in = dir.resolve("crop.png");
        ImageFiles.write(crop, in, ImageFormat.PNG);
        PixelBuffer image = BufferedImages.toPixels(ImageFiles.read(in));
        ModelFiles files = TestAssets.model(model);
        PixelBuffer torchFp32 = torch(files, in, false), torchBf16 = torch(files, in, true);
        double torchBf16Psnr = ImageDiff.psnr(torchBf16, torchFp32);
        UpscaleOptions whole = UpscaleOptions.defaults().withPrePad(10);

        List<String> report = new ArrayList<>();
        report.add(String.format(Locale.ROOT, "%s on a %dx%d crop of %s: PyTorch bf16 autocast vs PyTorch fp32: %.1f dB, %.2f %% within 1", model, w,
                h, photo, torchBf16Psnr, 100 * ImageDiff.of(torchBf16, torchFp32, false).fractionWithin1()));
        for (String isa : NativeTesting.cpuIsas()) {
            for (Precision precision : isa.endsWith("bf16") ? List.of(Precision.FP32, Precision.BF16) : List.of(Precision.FP32)) {
                NativeTesting.forceCpuIsa(isa);
                PixelBuffer ours;
                String runs;
                try (Model m = Model.load(files, ModelOptions.defaults().withPrecision(precision))) {
                    NativeTesting.forceCpuIsa("");
                    assertEquals(1, m.plannedTileCount(w, h, whole), "one tile, as PyTorch runs the whole image");
                    ours = m.upscale(image, whole);
                    runs = m.describeDevice(ModelOptions.CPU);
                } finally {
                    NativeTesting.forceCpuIsa("");
                }
                ImageDiff d = ImageDiff.of(ours, torchFp32, false);
                double psnr = ImageDiff.psnr(ours, torchFp32);
                report.add(String.format(Locale.ROOT, "  %s %s: %.2f %% within 1, max %d, %.1f dB  [%s]", isa, precision, 100 * d.fractionWithin1(),
                        d.max(), psnr, runs));
                if (precision == Precision.FP32) assertTrue(d.fractionWithin1() >= 0.999, isa + " fp32: " + d);
                else assertTrue(psnr >= torchBf16Psnr, isa + " bf16: " + psnr + " dB, PyTorch bf16: " + torchBf16Psnr + " dB");
            }
        }
        report.forEach(System.out::println);
    }

    /** PyTorch's forward of the whole image (pre-pad 10), fp32 or under bf16 autocast. */
    private PixelBuffer torch(ModelFiles files, Path in, boolean bf16) throws Exception {
        Path out = dir.resolve(bf16 ? "torch-bf16.png" : "torch-fp32.png");
        List<String> cmd = new ArrayList<>(List.of(PYTHON, TestAssets.repoRoot().resolve("bench/torch_esrgan.py").toString(), "forward", "--param",
                files.param().toString(), "--bin", files.bin().toString(), "--input", in.toString(), "--output", out.toString(), "--pre-pad", "10",
                "--threads", "2"));
        if (bf16) cmd.add("--bf16");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "PyTorch timed out");
        assertEquals(0, p.exitValue(), "bench/torch_esrgan.py failed (needs Debian's python3-torch):\n" + log);
        return BufferedImages.toPixels(ImageFiles.read(out));
    }
}
