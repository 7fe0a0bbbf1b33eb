package dev.modelcompose.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelcompose.expr.ByteSource;
import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.runtime.StoredOutput;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * Writes JSON whose values may hold images and files, streaming those as base64 from their stored encoding (contract
 * 3.5: {@code "output": "<base64 PNG>"}), so that even a very large output never has to be in memory as a string.
 */
final class TaskJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TaskJson() {}

    static void write(OutputStream out, Object value) throws IOException {
        try (JsonGenerator gen = JSON.getFactory().createGenerator(out)) {
            gen.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            value(gen, value);
        }
    }

    private static void value(JsonGenerator gen, Object v) throws IOException {
        if (v instanceof Map<?, ?> map) {
            gen.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                gen.writeFieldName(String.valueOf(e.getKey()));
                value(gen, e.getValue());
            }
            gen.writeEndObject();
        } else if (v instanceof List<?> list) {
            gen.writeStartArray();
            for (Object item : list) value(gen, item);
            gen.writeEndArray();
        } else if (v instanceof ByteSource b) {
            try (InputStream in = b.open()) {
                gen.writeBinary(in, b instanceof StoredOutput s && s.size() <= Integer.MAX_VALUE ? (int) s.size() : -1);
            }
        } else if (v instanceof BufferedImage img) {
            gen.writeBinary(new ByteArrayInputStream(ImageFiles.encode(img, ImageFormat.PNG)), -1);
        } else if (v instanceof byte[] bytes) {
            gen.writeBinary(bytes);
        } else {
            JSON.writeValue(gen, v);
        }
    }

    /** The encoded bytes the JSON of a value would carry as base64 (images counted as stored, others as 0). */
    static long binaryBytes(Object v) {
        if (v instanceof StoredOutput s) return s.size();
        if (v instanceof byte[] b) return b.length;
        if (v instanceof ByteSource.InMemory b) return b.data().length;
        if (v instanceof ByteSource) return Long.MAX_VALUE / 4;
        if (v instanceof BufferedImage img) return 4L * img.getWidth() * img.getHeight();
        if (v instanceof Map<?, ?> m) return m.values().stream().mapToLong(TaskJson::binaryBytes).sum();
        if (v instanceof List<?> l) return l.stream().mapToLong(TaskJson::binaryBytes).sum();
        return 0;
    }
}
