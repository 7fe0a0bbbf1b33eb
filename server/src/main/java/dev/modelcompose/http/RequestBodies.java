package dev.modelcompose.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelcompose.expr.ByteSource;
import dev.modelcompose.imaging.ImageFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the body of {@code POST /workflows/runs} (contract 3.3): JSON, multipart or urlencoded, into a map. Form keys
 * nest ({@link FormFields}); file parts become {@link ByteSource}s, on disk above the memory threshold, typed by their
 * bytes (never by the part's Content-Type or file name). Every malformed body is a 400 saying what is wrong.
 */
final class RequestBodies {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SNIFF_BYTES = 32;
    /** A form field that is not a file is text held in memory: large values belong in file parts. */
    static final int MAX_FIELD_BYTES = 64 << 20;

    private RequestBodies() {}

    /** The media type of the request, checked before any of the body is read. @throws ApiError 400 */
    static String mediaType(String header) {
        if (header == null || header.isBlank()) throw new ApiError(400, "Missing or empty Content-Type header.");
        String type = header.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return switch (type) {
            case "application/json", "application/x-www-form-urlencoded" -> type;
            case "multipart/form-data" -> {
                MultipartReader.boundary(header);
                yield type;
            }
            default -> throw new ApiError(400, "Unsupported Content-Type: " + type);
        };
    }

    static Map<String, Object> read(String contentType, InputStream body, ComposeServer.Settings settings, Path tempDir, List<Path> temps)
            throws IOException {
        return switch (mediaType(contentType)) {
            case "application/json" -> json(body, settings.maxRequestBytes());
            case "multipart/form-data" -> multipart(new MultipartReader(body, contentType), settings, tempDir, temps);
            default -> urlencoded(body, settings.maxRequestBytes());
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(InputStream body, long max) throws IOException {
        byte[] bytes = readAll(body, max);
        Object parsed;
        try {
            parsed = JSON.readValue(bytes, Object.class);
        } catch (StreamConstraintsException e) {
            throw new ApiError(400, "Invalid request body: " + e.getOriginalMessage() + " (send large images as multipart file uploads)");
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "Invalid request body: " + e.getOriginalMessage());
        }
        if (!(parsed instanceof Map)) throw new ApiError(400, "Invalid request body: the body must be a JSON object");
        return (Map<String, Object>) parsed;
    }

    private static Map<String, Object> urlencoded(InputStream body, long max) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        String text = new String(readAll(body, max), StandardCharsets.UTF_8);
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            FormFields.put(out, decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "Invalid request body: malformed percent-encoding in '" + (s.length() > 80 ? s.substring(0, 80) + "..." : s)
                    + "' (a % must be followed by two hexadecimal digits)");
        }
    }

    private static byte[] readAll(InputStream in, long max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 << 10];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            if (out.size() + (long) n > max) throw ApiError.tooLarge(max);
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static Map<String, Object> multipart(MultipartReader parts, ComposeServer.Settings settings, Path tempDir, List<Path> temps)
            throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (MultipartReader.Part part; (part = parts.next()) != null; ) {
            if (part.filename() != null) FormFields.put(out, part.name(), upload(parts, part, settings, tempDir, temps));
            else FormFields.put(out, part.name(), new String(field(parts, part), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static byte[] field(MultipartReader parts, MultipartReader.Part part) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = parts.read(buffer, 0, buffer.length)) >= 0; ) {
            if (out.size() + n > MAX_FIELD_BYTES)
                throw new ApiError(413, "The form field '" + part.name() + "' is larger than " + (MAX_FIELD_BYTES >> 20)
                        + " MiB; send large values as file parts (-F \"" + part.name() + "=@file\")");
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /** In memory up to the threshold, then a temp file; the part's Content-Type is the client's claim, the type kept is sniffed. */
    private static ByteSource upload(MultipartReader parts, MultipartReader.Part part, ComposeServer.Settings settings, Path tempDir,
                                     List<Path> temps) throws IOException {
        ByteArrayOutputStream memory = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 << 10];
        Path file = null;
        OutputStream disk = null;
        try {
            for (int n; (n = parts.read(buffer, 0, buffer.length)) >= 0; ) {
                if (disk == null && memory.size() + n > settings.memoryThreshold()) {
                    file = Files.createTempFile(tempDir, "upload-", ".bin");
                    temps.add(file);
                    disk = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
                    memory.writeTo(disk);
                }
                if (disk != null) disk.write(buffer, 0, n);
                else memory.write(buffer, 0, n);
            }
        } finally {
            if (disk != null) disk.close();
        }
        if (file == null) {
            byte[] bytes = memory.toByteArray();
            return ByteSource.of(bytes, sniffedType(bytes), part.filename());
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(SNIFF_BYTES);
        }
        return ByteSource.ofPath(file, sniffedType(head), part.filename());
    }

    private static String sniffedType(byte[] head) {
        return ImageFiles.mediaType(head).orElse("application/octet-stream");
    }
}
