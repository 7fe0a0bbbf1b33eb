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
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A {@link ComposeServer} for a compose file given as text, on 127.0.0.1 with a free port, and a client for it.
 * {@link #api} is the base URL including the controller's base path.
 */
final class LoopbackServer implements AutoCloseable {
    final ComposeRuntime runtime;
    final ComposeServer server;
    final String api;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LoopbackServer(ComposeRuntime runtime, ComposeServer server) {
        this.runtime = runtime;
        this.server = server;
        this.api = "http://127.0.0.1:" + server.port() + server.basePath();
    }

    /** Models come from the test assets only; nothing is fetched. */
    static RuntimeOptions offlineOptions() {
        ModelSource models = ModelSource.of(new ModelProvisioner(new ModelResolver(ModelCatalog.builtIn(), new ModelCache(TestAssets.models()),
                line -> { throw new AssertionError("tests must not fetch models: " + line); })));
        return new RuntimeOptions(models, null, false, null);
    }

    static LoopbackServer start(String yaml, Path dir, RuntimeOptions options, ComposeServer.Settings settings) {
        ComposeRuntime runtime = ComposeRuntime.create(ComposeLoader.loadString(yaml, "model-compose.yml", dir, Map.of()), options);
        try {
            ComposeServer server = new ComposeServer(runtime, ComposeServer.httpAdapter(runtime.config().controller()), settings).start(0, -1);
            return new LoopbackServer(runtime, server);
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    HttpResponse<byte[]> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return http.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(api + path)).GET());
    }

    HttpResponse<byte[]> post(String path, Map<String, Object> multipartFields) throws IOException, InterruptedException {
        return send(HttpCalls.multipart(api + path, multipartFields));
    }

    @Override
    public void close() {
        server.close();
        runtime.close();
    }
}
