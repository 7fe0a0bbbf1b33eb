package dev.modelcompose.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import javax.imageio.ImageIO;

/** Request bodies and response readers shared by the tests that call a {@link ComposeServer} over loopback. */
final class HttpCalls {
    static final ObjectMapper JSON = new ObjectMapper();

    private HttpCalls() {}

    /** A PNG with a gradient, so every upscale has real work to do. */
    static byte[] png(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) img.setRGB(x, y, (x * 11 & 0xFF) << 16 | (y * 13 & 0xFF) << 8 | 90);
        try {
            return ImageFiles.encode(img, ImageFormat.PNG);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A file part of a multipart body, with the name and type the client claims. */
    record Upload(String filename, String mediaType, byte[] bytes) {}

    /** A multipart body in the order given: {@link Upload} values are files, byte[] a file x.png (image/png), others fields. */
    static HttpRequest.Builder multipart(String url, Map<String, Object> fields) {
        String boundary = "----mc" + System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + e.getKey() + "\"").getBytes(StandardCharsets.UTF_8));
            Upload file = e.getValue() instanceof byte[] b ? new Upload("x.png", "image/png", b) : e.getValue() instanceof Upload u ? u : null;
            if (file != null) {
                out.writeBytes(("; filename=\"" + file.filename() + "\"\r\nContent-Type: " + file.mediaType() + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                out.writeBytes(file.bytes());
            } else {
                out.writeBytes(("\r\n\r\n" + e.getValue()).getBytes(StandardCharsets.UTF_8));
            }
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray()));
    }

    static HttpRequest.Builder postJson(String url, Object body) {
        try {
            return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(HttpResponse<byte[]> r) {
        try {
            return JSON.readValue(r.body(), Map.class);
        } catch (IOException e) {
            throw new AssertionError("not JSON (HTTP " + r.statusCode() + "): " + new String(r.body(), StandardCharsets.UTF_8), e);
        }
    }

    /** Decodes image bytes; null when they are not a complete image. */
    static BufferedImage image(byte[] b) {
        try {
            return ImageIO.read(new ByteArrayInputStream(b));
        } catch (IOException e) {
            return null;
        }
    }

    /** The base64 {@code output} of a completed task state, decoded. */
    static BufferedImage outputImage(Map<String, Object> state) {
        return image(Base64.getDecoder().decode((String) state.get("output")));
    }
}
