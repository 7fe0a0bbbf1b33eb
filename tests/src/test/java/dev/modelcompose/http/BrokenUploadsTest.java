package dev.modelcompose.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.testing.ComposeYaml;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every broken image of the fuzz corpus (src/test/resources/corpus/images) uploaded to a real server on loopback: a
 * client error (4xx) with a {@code detail} message, never a 500; images broken only in their metadata (ok-*) are
 * upscaled; the server stays healthy and still upscales a good image afterwards.
 */
class BrokenUploadsTest {
    @TempDir
    static Path dir;

    private static LoopbackServer server;

    @BeforeAll
    static void start() {
        String yaml = "controller: {type: http-server, port: 8080, base_path: /api}\n"
                + ComposeYaml.upscaleWorkflow(ComposeYaml.testModel("realesr-animevideov3-x2"), 2, "params: {tile_size: 64}");
        server = LoopbackServer.start(yaml, dir, LoopbackServer.offlineOptions(), ComposeServer.Settings.defaults());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static HttpResponse<byte[]> upload(String name, byte[] bytes) throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("image", new HttpCalls.Upload(name + ".png", "image/png", bytes));
        fields.put("output_only", "true");
        return server.post("/workflows/runs", fields);
    }

    @Test
    void brokenImagesAreClientErrorsAndTheServerGoesOn() throws Exception {
        List<Path> corpus;
        try (Stream<Path> s = Files.list(Path.of(BrokenUploadsTest.class.getResource("/corpus/images").toURI()))) {
            corpus = s.sorted().toList();
        }
        List<String> wrong = new ArrayList<>();
        for (Path file : corpus) {
            String name = file.getFileName().toString();
            HttpResponse<byte[]> r = upload(name, Files.readAllBytes(file));
            String body = new String(r.body(), StandardCharsets.UTF_8);
            boolean ok = name.startsWith("ok-");
            if (ok && r.statusCode() != 200) wrong.add(name + ": HTTP " + r.statusCode() + " " + body);
            if (!ok && (r.statusCode() / 100 != 4 || !HttpCalls.json(r).containsKey("detail")))
                wrong.add(name + ": HTTP " + r.statusCode() + " " + body);
        }
        assertTrue(wrong.isEmpty(), corpus.size() + " uploads, unexpected answers:\n" + String.join("\n", wrong));

        assertEquals(200, server.get("/health").statusCode());
        HttpResponse<byte[]> good = upload("good", HttpCalls.png(9, 7));
        assertEquals(200, good.statusCode(), new String(good.body(), StandardCharsets.UTF_8));
        assertEquals(18, HttpCalls.image(good.body()).getWidth());
    }

    @Test
    void aBrokenImageInJsonIsAClientErrorToo() throws Exception {
        String uri = "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString("\u0089PNG\r\n\u001a\n".getBytes(StandardCharsets.ISO_8859_1));
        HttpResponse<byte[]> r = server.send(HttpRequest.newBuilder(URI.create(server.api + "/workflows/runs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\": {\"image\": \"" + uri + "\"}, \"output_only\": true}")));
        assertEquals(4, r.statusCode() / 100, new String(r.body(), StandardCharsets.UTF_8));
        assertFalse(String.valueOf(HttpCalls.json(r).get("detail")).isBlank());
    }
}
