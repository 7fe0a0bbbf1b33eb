package dev.modelcompose.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.testing.ComposeYaml;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CORS through Javalin's plugin: {@code *} without credentials, a list echoed with them, preflight on every route. */
class CorsTest {
    @TempDir
    Path dir;

    private LoopbackServer start(String origins) {
        String yaml = "controller:\n  adapter: {type: http-server, base_path: /api" + origins + "}\n"
                + ComposeYaml.upscaleWorkflow(ComposeYaml.testModel("realesr-animevideov3-x2"), 2, "");
        return LoopbackServer.start(yaml, dir, LoopbackServer.offlineOptions(), ComposeServer.Settings.defaults());
    }

    private static HttpResponse<byte[]> get(LoopbackServer s, String path, String origin) throws Exception {
        return s.send(HttpRequest.newBuilder(URI.create(s.api + path)).header("Origin", origin).GET());
    }

    private static HttpResponse<byte[]> preflight(LoopbackServer s, String path, String origin) throws Exception {
        return s.send(HttpRequest.newBuilder(URI.create(s.api + path)).header("Origin", origin).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type").method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void anyOriginGetsAStarWithoutCredentials() throws Exception {
        try (LoopbackServer s = start("")) {
            HttpResponse<byte[]> r = get(s, "/health", "http://evil.example");
            assertEquals(200, r.statusCode());
            assertEquals("*", header(r, "Access-Control-Allow-Origin"));
            assertEquals(null, header(r, "Access-Control-Allow-Credentials"), "credentials are never allowed for *");
            for (String path : new String[] {"/health", "/workflows", "/workflows/__workflow__/schema", "/workflows/runs", "/tasks/x",
                    "/tasks/x/cancel"}) {
                r = preflight(s, path, "http://evil.example");
                assertEquals(200, r.statusCode(), path);
                assertEquals("*", header(r, "Access-Control-Allow-Origin"), path);
                assertTrue(header(r, "Access-Control-Allow-Methods").contains("POST"), path);
                assertEquals("content-type", header(r, "Access-Control-Allow-Headers"), path);
            }
        }
    }

    @Test
    void aListEchoesTheMatchingOriginWithCredentialsAndNothingForOthers() throws Exception {
        try (LoopbackServer s = start(", origins: [\"https://app.example\", \"http://localhost:3000\"]")) {
            HttpResponse<byte[]> r = get(s, "/health", "https://app.example");
            assertEquals("https://app.example", header(r, "Access-Control-Allow-Origin"));
            assertEquals("true", header(r, "Access-Control-Allow-Credentials"));
            assertTrue(header(r, "Vary").contains("Origin"));
            r = preflight(s, "/workflows/runs", "http://localhost:3000");
            assertEquals(200, r.statusCode());
            assertEquals("http://localhost:3000", header(r, "Access-Control-Allow-Origin"));
            assertEquals("true", header(r, "Access-Control-Allow-Credentials"));

            r = get(s, "/workflows", "https://evil.example");
            assertFalse(r.headers().firstValue("Access-Control-Allow-Origin").isPresent());
            assertFalse(r.headers().firstValue("Access-Control-Allow-Credentials").isPresent());
        }
    }
}
