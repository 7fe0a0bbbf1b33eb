package dev.modelcompose.cli;

import dev.modelcompose.compose.ComposeLoader;
import dev.modelcompose.http.ComposeServer;
import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.models.ModelResolver;
import dev.modelcompose.runtime.ComposeRuntime;
import dev.modelcompose.runtime.RuntimeOptions;
import dev.modelcompose.upscale.Model;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.UpscaleOptions;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code model-compose bench http}: what serving costs. One image, one model, one run: the HTTP round trip of a
 * workflow run (multipart upload in, {@code output_only} PNG out, over loopback, the server in this process) against
 * decoding, upscaling and encoding the same image in this process, alternating, warm on both sides.
 */
@Command(name = "http", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time a workflow run over HTTP on loopback (multipart in, output_only PNG out) against decode + upscale + encode",
                "in process, same model and image, warm, alternating; print both and the overhead of the HTTP path."})
final class HttpOverheadBench implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "-n", paramLabel = "MODEL", defaultValue = "realesr-animevideov3-x4", description = "model name (default: ${DEFAULT-VALUE})")
    String modelName;

    @Option(names = "-m", paramLabel = "MODEL_DIR", defaultValue = "models", description = "model directory (default: ${DEFAULT-VALUE})")
    Path modelDir;

    @Option(names = "--size", defaultValue = "256", description = "image side in pixels (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--repeat", defaultValue = "7", description = "timed pairs after one warm-up each; medians count (default: ${DEFAULT-VALUE})")
    int repeat;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (size < 8 || repeat < 1) throw new IllegalArgumentException("--size >= 8 and --repeat >= 1 are required");
        ModelFiles files = ModelResolver.standard(spec.commandLine().getErr()::println).resolve(modelName, modelDir, null);
        byte[] png = ImageFiles.encode(image(size), ImageFormat.PNG);
        UpscaleOptions options = UpscaleOptions.defaults().withPrePad(10);  // the compose file below says the same
        Path work = Files.createTempDirectory("mc-bench-http");
        try (Model model = Model.load(files);
             ComposeRuntime runtime = ComposeRuntime.create(ComposeLoader.loadString(yaml(files, model.scale()), "bench.yml", work, Map.of()),
                     RuntimeOptions.defaults().withLocalPaths(true));
             ComposeServer server = new ComposeServer(runtime, ComposeServer.Settings.defaults()).start(0, -1)) {
            String url = "http://127.0.0.1:" + server.port() + server.basePath() + "/workflows/runs";
            HttpClient client = HttpClient.newHttpClient();
            inProcess(model, options, png);
            overHttp(client, url, png, size * model.scale());
            List<Double> local = new ArrayList<>(), http = new ArrayList<>();
            for (int i = 0; i < repeat; i++) {
                // alternate which side goes first, so neither always runs on a cooler machine
                if (i % 2 == 0) {
                    local.add(inProcess(model, options, png));
                    http.add(overHttp(client, url, png, size * model.scale()));
                } else {
                    http.add(overHttp(client, url, png, size * model.scale()));
                    local.add(inProcess(model, options, png));
                }
            }
            double l = median(local), h = median(http);
            out.printf(Locale.ROOT, "model %s, %dx%d PNG, %d pairs (median): decode + upscale + encode in process %.3f s, HTTP round trip %.3f s%n",
                    files.name(), size, size, repeat, l, h);
            out.printf(Locale.ROOT, "HTTP overhead: %+.1f %% (in process %s; HTTP %s)%n", 100 * (h / l - 1), format(local), format(http));
        } finally {
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return 0;
    }

    private static String yaml(ModelFiles files, int scale) {
        return """
                workflow:
                  job: {input: "${input}", output: "${output as image}"}
                component:
                  type: model
                  task: image-upscale
                  family: real-esrgan
                  model: %s
                  scale: %d
                  device: cpu
                  action: {image: "${input.image as image}", params: {pre_pad_size: 10}}
                """.formatted(files.param().toAbsolutePath(), scale);
    }

    private static double inProcess(Model model, UpscaleOptions options, byte[] png) throws IOException {
        long t0 = System.nanoTime();
        BufferedImage in = ImageFiles.read(png, "bench.png");
        byte[] encoded = ImageFiles.encode(model.upscale(in, options), ImageFormat.PNG);
        if (encoded.length == 0) throw new IllegalStateException("empty PNG");
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double overHttp(HttpClient client, String url, byte[] png, int expectedWidth) throws IOException, InterruptedException {
        String boundary = "----mcbench" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"in.png\"\r\nContent-Type: image/png\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(png);
        body.writeBytes(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"output_only\"\r\n\r\ntrue\r\n--" + boundary + "--\r\n")
                .getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        long t0 = System.nanoTime();
        HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (r.statusCode() != 200) throw new IOException("the server answered " + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8));
        BufferedImage result = ImageFiles.read(r.body(), "response");
        if (result.getWidth() != expectedWidth)
            throw new IOException("the server answered a " + result.getWidth() + " px wide image, expected " + expectedWidth);
        return seconds;
    }

    private static BufferedImage image(int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                img.setRGB(x, y, (int) (127 + 127 * Math.sin(x / 7.0)) << 16 | (int) (127 + 127 * Math.cos(y / 5.0)) << 8 | ((x ^ y) * 3 & 0xFF));
        return img;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String format(List<Double> values) {
        return String.join(" ", values.stream().map(v -> String.format(Locale.ROOT, "%.3f", v)).toList());
    }
}
