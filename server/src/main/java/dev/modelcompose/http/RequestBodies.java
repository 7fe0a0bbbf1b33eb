package dev.modelcompose.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelcompose.expr.ByteSource;
import dev.modelcompose.imaging.ImageFiles;
import io.javalin.http.Context;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the body of {@code POST /workflows/runs} (contract 3.3): JSON, multipart or urlencoded, into a map. Form keys
 * nest by bracket or dot syntax ({@code input[image]}, {@code input.image}); file parts become {@link ByteSource}s, on
 * disk above the memory threshold, typed by their bytes (never by the part's Content-Type or file name).
 */
final class RequestBodies {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SNIFF_BYTES = 32;

    private RequestBodies() {}

    static Map<String, Object> read(Context ctx, ComposeServer.Settings settings, Path tempDir, List<Path> temps) throws IOException {
        String header = ctx.header("Content-Type");
        if (header == null || header.isBlank()) throw new ApiError(400, "Missing or empty Content-Type header.");
        String type = header.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        long length = ctx.req().getContentLengthLong();
        if (length > settings.maxRequestBytes())
            throw new ApiError(413, "Request body too large: " + length + " bytes (at most " + settings.maxRequestBytes() + ")");
        return switch (type) {
            case "application/json" -> json(ctx);
            case "multipart/form-data" -> multipart(ctx, settings, tempDir, temps);
            case "application/x-www-form-urlencoded" -> urlencoded(ctx);
            default -> throw new ApiError(400, "Unsupported Content-Type: " + type);
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Context ctx) {
        byte[] body = ctx.bodyAsBytes();
        Object parsed;
        try {
            parsed = JSON.readValue(body, Object.class);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "Invalid request body: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiError(400, "Invalid request body: " + e.getMessage());
        }
        if (!(parsed instanceof Map)) throw new ApiError(400, "Invalid request body: the body must be a JSON object");
        return (Map<String, Object>) parsed;
    }

    private static Map<String, Object> urlencoded(Context ctx) {
        Map<String, Object> out = new LinkedHashMap<>();
        String body = ctx.body();
        if (body.isEmpty()) return out;
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            put(out, k, v);
        }
        return out;
    }

    private static Map<String, Object> multipart(Context ctx, ComposeServer.Settings settings, Path tempDir, List<Path> temps) throws IOException {
        ctx.req().setAttribute("org.eclipse.jetty.multipartConfig", new MultipartConfigElement(tempDir.toString(), settings.maxRequestBytes(),
                settings.maxRequestBytes(), settings.memoryThreshold()));
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            for (Part part : ctx.req().getParts()) {
                String name = part.getName();
                if (part.getSubmittedFileName() != null) {
                    put(out, name, upload(part, settings, tempDir, temps));
                } else {
                    try (InputStream in = part.getInputStream()) {
                        put(out, name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (IllegalStateException e) {
            throw new ApiError(413, "Request body too large (at most " + settings.maxRequestBytes() + " bytes): " + e.getMessage());
        } catch (jakarta.servlet.ServletException e) {
            throw new ApiError(400, "Invalid request body: " + e.getMessage());
        }
        return out;
    }

    /** The part's Content-Type is the client's claim: the media type kept is sniffed from the bytes. */
    private static ByteSource upload(Part part, ComposeServer.Settings settings, Path tempDir, List<Path> temps) throws IOException {
        String filename = part.getSubmittedFileName();
        if (part.getSize() <= settings.memoryThreshold()) {
            try (InputStream in = part.getInputStream()) {
                byte[] bytes = in.readAllBytes();
                return ByteSource.of(bytes, sniffedType(bytes), filename);
            }
        }
        Path file = Files.createTempFile(tempDir, "upload-", ".bin");
        temps.add(file);
        try (InputStream in = part.getInputStream()) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        part.delete();
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(SNIFF_BYTES);
        }
        return ByteSource.ofPath(file, sniffedType(head), filename);
    }

    private static String sniffedType(byte[] head) {
        return ImageFiles.mediaType(head).orElse("application/octet-stream");
    }

    /** {@code a[b][c]} and {@code a.b.c} nest; {@code k[]} collects a list under {@code "k[]"}; repeated keys make lists. */
    @SuppressWarnings("unchecked")
    static void put(Map<String, Object> root, String key, Object value) {
        if (key.endsWith("[]")) {
            ((List<Object>) root.computeIfAbsent(key, k -> new ArrayList<>())).add(value);
            return;
        }
        List<String> path = new ArrayList<>();
        for (String dotted : key.split("\\.")) {
            int b = dotted.indexOf('[');
            if (b < 0 || !dotted.endsWith("]")) {
                path.add(dotted);
                continue;
            }
            path.add(dotted.substring(0, b));
            for (String seg : dotted.substring(b + 1, dotted.length() - 1).split("\\]\\[")) path.add(seg);
        }
        Map<String, Object> m = root;
        for (int i = 0; i < path.size() - 1; i++) {
            Object next = m.get(path.get(i));
            if (!(next instanceof Map)) {
                next = new LinkedHashMap<String, Object>();
                m.put(path.get(i), next);
            }
            m = (Map<String, Object>) next;
        }
        m.put(path.get(path.size() - 1), value);
    }
}
