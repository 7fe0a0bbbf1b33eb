package dev.modelcompose.http;

import dev.modelcompose.compose.ComposeLoader;
import dev.modelcompose.runtime.ComposeRuntime;
import dev.modelcompose.runtime.RuntimeOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A {@link ComposeServer} in a JVM of its own, for tests that need their own heap limit: {@code ChildServer FILE} serves
 * the compose file on a free loopback port with a nearest-neighbour x2 engine (the model does not matter), prints
 * {@code PORT n}, and stops when its standard input closes.
 */
public final class ChildServer {
    private ChildServer() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        BlockingEngine engine = new BlockingEngine();
        engine.release();
        RuntimeOptions options = LoopbackServer.offlineOptions().withEngines((files, opts) -> engine)
                .withLog(line -> System.out.println(line));
        ComposeRuntime runtime = ComposeRuntime.create(ComposeLoader.loadString(Files.readString(file), file.getFileName().toString(),
                file.getParent(), Map.of()), options);
        ComposeServer server = new ComposeServer(runtime, ComposeServer.httpAdapter(runtime.config().controller()),
                ComposeServer.Settings.defaults()).start(0, -1);
        System.out.println("PORT " + server.port());
        System.out.flush();
        while (System.in.read() >= 0) { /* until the parent closes our input */ }
        server.close();
        runtime.close();
    }
}
