package dev.modelcompose.compose;

import java.time.Duration;
import java.util.List;

/**
 * {@code controller}: how the workflows are served.
 *
 * @param maxConcurrentCount 0 = every task runs at once; N > 0 = a FIFO queue with N workers
 * @param webui              null when there is none
 */
public record ControllerConfig(String name, List<AdapterConfig> adapters, String runtime, int maxConcurrentCount,
                               Duration shutdownPendingPeriod, Duration shutdownTimeout, boolean threaded, WebUiConfig webui) {
    public ControllerConfig {
        adapters = List.copyOf(adapters);
    }

    public static ControllerConfig none() {
        return new ControllerConfig(null, List.of(), "native", 0, Duration.ZERO, Duration.ofSeconds(30), false, null);
    }

    /** The first adapter's type ({@code http-server}), or {@code none}. */
    public String type() {
        return adapters.isEmpty() ? "none" : adapters.get(0).type();
    }

    /**
     * An adapter: {@code http-server} (the others are kept but not served yet).
     *
     * @param origins          CORS origins, split on commas
     * @param websocket        null when disabled
     * @param inputPaths       {@code input_paths}: the directories {@code ;path} inputs may read, as written (relative
     *                         to the compose file's directory); empty = {@code ;path} inputs are refused
     * @param allowPrivateUrls {@code allow_private_urls}: {@code ;url} inputs may fetch loopback, link-local and
     *                         private addresses
     * @param limits           slow clients, memory, finished outputs
     */
    public record AdapterConfig(String type, String host, int port, String basePath, List<String> origins, WebSocketConfig websocket,
                                List<String> inputPaths, boolean allowPrivateUrls, HttpLimits limits) {
        public AdapterConfig {
            origins = List.copyOf(origins);
            inputPaths = List.copyOf(inputPaths);
            if (limits == null) limits = HttpLimits.defaults();
        }

        /** With the default {@link HttpLimits}. */
        public AdapterConfig(String type, String host, int port, String basePath, List<String> origins, WebSocketConfig websocket,
                             List<String> inputPaths, boolean allowPrivateUrls) {
            this(type, host, port, basePath, origins, websocket, inputPaths, allowPrivateUrls, HttpLimits.defaults());
        }

        /** No {@code input_paths}, no private URLs. */
        public AdapterConfig(String type, String host, int port, String basePath, List<String> origins, WebSocketConfig websocket) {
            this(type, host, port, basePath, origins, websocket, List.of(), false);
        }
    }

    /** @param maxConnectionCount null = unlimited */
    public record WebSocketConfig(String path, Integer maxConnectionCount, Duration pingInterval, Duration pingTimeout) {
        public static WebSocketConfig defaults() {
            return new WebSocketConfig("/ws", null, Duration.ofSeconds(30), Duration.ofSeconds(10));
        }
    }

    /** {@code webui}: driver gradio (the default), static or dynamic. */
    public record WebUiConfig(String driver, String host, int port, String staticDir, String command, String serverDir) {}
}
