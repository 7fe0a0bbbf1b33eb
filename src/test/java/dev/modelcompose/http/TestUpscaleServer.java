package dev.modelcompose.http;

import dev.modelcompose.compose.ComposeLoader;
import dev.modelcompose.models.ModelCache;
import dev.modelcompose.models.ModelCatalog;
import dev.modelcompose.models.ModelProvisioner;
import dev.modelcompose.models.ModelResolver;
import dev.modelcompose.runtime.ComposeRuntime;
import dev.modelcompose.runtime.ModelSource;
import dev.modelcompose.runtime.RuntimeOptions;
import dev.modelcompose.testing.TestAssets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The HTTP API on 127.0.0.1 with a free port: one workflow upscaling {@code input.image} with a real small test model,
 * its output {@code ${output as image}}.
 */
final class TestUpscaleServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final ComposeRuntime runtime;
    private final ComposeServer server;
    /** The API's base URL, e.g. {@code http://127.0.0.1:PORT/api}. */
    final String api;

    private TestUpscaleServer(ComposeRuntime runtime, ComposeServer server) {
        this.runtime = runtime;
        this.server = server;
        this.api = "http://127.0.0.1:" + server.port() + "/api";
    }

    /** {@code model}: a test model name such as {@code realesr-animevideov3-x2}, which upscales x{@code scale}. */
    static TestUpscaleServer start(Path dir, String model, int scale, ComposeServer.Settings settings) {
        String yaml = """
                controller: {type: http-server, port: 8080, base_path: /api}
                workflow:
                  job: {input: "${input}", output: "${output as image}"}
                component:
                  type: model
                  task: image-upscale
                  family: real-esrgan
                  model: MODEL
                  scale: SCALE
                  action: {image: "${input.image as image}", params: {tile_size: 32}}
                """.replace("MODEL", TestAssets.models().resolve(model + ".param").toString()).replace("SCALE", String.valueOf(scale));
        ModelSource models = ModelSource.of(new ModelProvisioner(new ModelResolver(ModelCatalog.builtIn(), new ModelCache(TestAssets.models()),
                line -> { throw new AssertionError("tests must not fetch models: " + line); })));
        ComposeRuntime runtime = ComposeRuntime.create(ComposeLoader.loadString(yaml, "model-compose.yml", dir, Map.of()),
                new RuntimeOptions(models, null, false, null));
        try {
            ComposeServer server = new ComposeServer(runtime, ComposeServer.httpAdapter(runtime.config().controller()), settings).start(0, -1);
            return new TestUpscaleServer(runtime, server);
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    /** A file part of a multipart body. */
    record Upload(String filename, String mediaType, byte[] bytes) {}

    /** {@code POST path} with a multipart body: {@link Upload} values are files, others fields. */
    HttpResponse<byte[]> postMultipart(String path, Map<String, Object> fields) throws IOException, InterruptedException {
        String boundary = "----mc" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + e.getKey() + "\"").getBytes(StandardCharsets.UTF_8));
            if (e.getValue() instanceof Upload u) {
                body.writeBytes(("; filename=\"" + u.filename() + "\"\r\nContent-Type: " + u.mediaType() + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                body.writeBytes(u.bytes());
            } else {
                body.writeBytes(("\r\n\r\n" + e.getValue()).getBytes(StandardCharsets.UTF_8));
            }
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** {@code POST path} with a JSON body. */
    HttpResponse<byte[]> postJson(String path, String json) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    @Override
    public void close() {
        server.close();
        runtime.close();
    }
}
