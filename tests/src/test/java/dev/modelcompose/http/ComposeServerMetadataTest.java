package dev.modelcompose.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelcompose.imaging.ExifBlocks;
import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.imaging.ImageMetadata;
import dev.modelcompose.imaging.ImageWithMetadata;
import dev.modelcompose.testing.ComposeYaml;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workflow outputs over HTTP keep the uploaded image's ICC profile and EXIF, fitted to the upscaled image. */
class ComposeServerMetadataTest {
    private static final byte[] ICC = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();

    @TempDir
    Path dir;

    private LoopbackServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    /** A 30x20 JPEG stored sideways (EXIF orientation 6, with a thumbnail) carrying an ICC profile: 20x30 upright. */
    private static byte[] sidewaysJpeg() throws Exception {
        BufferedImage stored = new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 20; y++) for (int x = 0; x < 30; x++) stored.setRGB(x, y, (x * 8) << 16 | (y * 12) << 8 | 0x40);
        return ImageFiles.encode(stored, ImageFormat.JPG, new ImageMetadata(ICC, ExifBlocks.photo(6, 30, 20), 1));
    }

    /** The input's metadata on a x2 upscale of the upright image. */
    private static void assertKeepsTheMetadata(byte[] png, String what) throws Exception {
        ImageWithMetadata out = ImageFiles.readWithMetadata(png, what);
        assertEquals(40, out.image().getWidth(), what);
        assertEquals(60, out.image().getHeight(), what);
        assertArrayEquals(ICC, out.metadata().icc(), what);
        byte[] exif = out.metadata().exif();
        assertEquals(1, ExifBlocks.value(exif, ExifBlocks.ORIENTATION), what);
        assertEquals(40, ExifBlocks.value(exif, ExifBlocks.PIXEL_X), what);
        assertEquals(60, ExifBlocks.value(exif, ExifBlocks.PIXEL_Y), what);
        assertEquals(0, ExifBlocks.nextIfd(exif), what + ": the sideways thumbnail is unlinked");
    }

    /** One workflow upscaling {@code input.image} x2 with a real small model. */
    private LoopbackServer upscaleServer(ComposeServer.Settings settings) {
        String yaml = "controller: {type: http-server, port: 8080, base_path: /api}\n"
                + ComposeYaml.upscaleWorkflow(ComposeYaml.testModel("realesr-animevideov3-x2"), 2, "params: {tile_size: 32}");
        return LoopbackServer.start(yaml, dir, LoopbackServer.offlineOptions(), settings);
    }

    private HttpResponse<byte[]> postJson(String json) throws Exception {
        return server.send(HttpRequest.newBuilder(URI.create(server.api + "/workflows/runs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static String chunks(byte[] png) {
        return new String(png, StandardCharsets.ISO_8859_1);
    }

    @Test
    void anUploadedJpegKeepsItsIccAndExifInOutputOnlyAndJsonOutputs() throws Exception {
        server = upscaleServer(ComposeServer.Settings.defaults());
        HttpCalls.Upload photo = new HttpCalls.Upload("phone.jpg", "image/jpeg", sidewaysJpeg());

        HttpResponse<byte[]> r = server.post("/workflows/runs", Map.of("input[image]", photo, "output_only", "true"));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(chunks(r.body()).contains("iCCP") && chunks(r.body()).contains("eXIf"));
        assertKeepsTheMetadata(r.body(), "output_only");

        r = server.post("/workflows/runs", Map.of("image", photo));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        String output = (String) new ObjectMapper().readValue(r.body(), Map.class).get("output");
        assertKeepsTheMetadata(Base64.getDecoder().decode(output), "JSON base64 output");
    }

    @Test
    void aDataUriInputKeepsItsMetadata() throws Exception {
        server = upscaleServer(ComposeServer.Settings.defaults());
        String uri = "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(sidewaysJpeg());
        HttpResponse<byte[]> r = postJson("{\"input\": {\"image\": \"" + uri + "\"}, \"output_only\": true}");
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertKeepsTheMetadata(r.body(), "data: URI input");
    }

    @Test
    void anUploadStreamedToATempFileKeepsItsMetadata() throws Exception {
        ComposeServer.Settings toDisk = new ComposeServer.Settings(16, 1 << 20, 64, dir);
        server = upscaleServer(toDisk);
        HttpCalls.Upload photo = new HttpCalls.Upload("phone.jpg", "image/jpeg", sidewaysJpeg());
        HttpResponse<byte[]> r = server.post("/workflows/runs", Map.of("image", photo, "output_only", "true"));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertKeepsTheMetadata(r.body(), "upload on disk");
    }

    @Test
    void anImageWithoutMetadataGivesCleanOutput() throws Exception {
        server = upscaleServer(ComposeServer.Settings.defaults());
        byte[] plain = ImageFiles.encode(new BufferedImage(12, 10, BufferedImage.TYPE_INT_RGB), ImageFormat.PNG);
        HttpResponse<byte[]> r = server.post("/workflows/runs",
                Map.of("image", new HttpCalls.Upload("plain.png", "image/png", plain), "output_only", "true"));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(24, ImageFiles.read(r.body(), "out").getWidth());
        assertFalse(chunks(r.body()).contains("iCCP") || chunks(r.body()).contains("eXIf"), "no metadata chunks");
        assertTrue(ImageFiles.readWithMetadata(r.body(), "out").metadata().isEmpty());
    }
}
