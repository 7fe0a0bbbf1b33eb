package dev.modelcompose.expr;

import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.imaging.ImageHeader;
import dev.modelcompose.memory.ImageCosts;
import dev.modelcompose.imaging.ImageMetadataCarrier;
import dev.modelcompose.imaging.ImageReadException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The conversions after {@code as} (contract §2.5). Null stays null. A conversion that cannot be done throws
 * {@link ExpressionException} with a message that starts the way upstream's does (e.g.
 * {@code `image` requires an image or raw image bytes, got str}).
 */
public final class Conversions {
    private static final List<String> FORMATS = List.of("path", "url", "base64", "data-uri");
    private static final List<String> MEDIA = List.of("image", "audio", "video", "file");

    private Conversions() {}

    public static Object convert(Object value, Expression.TypeSpec type, RenderContext ctx, Expression where) {
        if (type.list()) {
            if (value == null) return null;
            if (!(value instanceof List<?> list))
                throw new ExpressionException("`" + type.name() + "[]` requires a list/tuple or stream input, got " + PythonText.typeName(value));
            List<Object> out = new ArrayList<>(list.size());
            for (Object item : list) out.add(item == null ? null : one(item, type, ctx));
            return out;
        }
        return one(value, type, ctx);
    }

    private static Object one(Object value, Expression.TypeSpec type, RenderContext ctx) {
        if (value == null) return null;
        String name = type.name().toLowerCase(Locale.ROOT);
        String format = type.format();
        if (format != null && !FORMATS.contains(format)) throw new ExpressionException("Unknown format: " + format);
        if (MEDIA.contains(name)) return media(value, name, type, ctx);
        if (format != null && value instanceof String s) value = load(s, format, ctx, name).bytes();
        return switch (name) {
            case "string", "text" -> text(value, false);
            case "markdown" -> text(value, true);
            case "integer", "int" -> integer(value);
            case "number", "float" -> number(value);
            case "boolean", "bool" -> bool(value);
            case "json" -> value instanceof String || value instanceof byte[] || value instanceof ByteSource
                    ? PythonText.parseJson(textOf(value)) : value;
            case "object" -> object(value, type.subtype());
            case "list", "array" -> {
                Object v = value instanceof String || value instanceof byte[] || value instanceof ByteSource
                        ? PythonText.parseJson(textOf(value)) : value;
                if (!(v instanceof List)) throw new ExpressionException("`list` requires a JSON array, got " + PythonText.typeName(v));
                yield v;
            }
            case "base64" -> base64(value);
            default -> value;  // stream/..., select/..., slider/...: UI hints only
        };
    }

    // ---------------------------------------------------------------------------------------------- scalars

    private static String textOf(Object v) {
        if (v instanceof String s) return s;
        if (v instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
        if (v instanceof ByteSource src) return new String(src.bytes(), StandardCharsets.UTF_8);
        return PythonText.str(v);
    }

    private static Object text(Object v, boolean markdown) {
        if (v instanceof String || v instanceof byte[] || v instanceof ByteSource) return textOf(v);
        if (!markdown && (v instanceof Map || v instanceof List)) return PythonText.json(v);
        return PythonText.str(v);
    }

    private static Object integer(Object v) {
        if (v instanceof Long || v instanceof BigInteger) return v;
        if (v instanceof Boolean b) return b ? 1L : 0L;
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) throw new ExpressionException("cannot convert float " + PythonText.floatRepr(d) + " to integer");
            return (long) d;
        }
        if (v instanceof String || v instanceof byte[]) {
            String s = textOf(v).strip().replace("_", "");
            try {
                return Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
            } catch (NumberFormatException e) {
                throw new ExpressionException("invalid literal for int() with base 10: " + PythonText.repr(textOf(v)));
            }
        }
        throw new ExpressionException("`integer` requires a number or a string, got " + PythonText.typeName(v));
    }

    private static Object number(Object v) {
        if (v instanceof Boolean b) return b ? 1.0 : 0.0;
        if (v instanceof Number n) return n.doubleValue();
        if (v instanceof String || v instanceof byte[]) {
            String s = textOf(v).strip().replace("_", "");
            switch (s.toLowerCase(Locale.ROOT)) {
                case "inf", "+inf", "infinity", "+infinity": return Double.POSITIVE_INFINITY;
                case "-inf", "-infinity": return Double.NEGATIVE_INFINITY;
                case "nan", "+nan", "-nan": return Double.NaN;
                default:
            }
            try {
                if (s.matches("[+-]?(\\d+\\.?\\d*([eE][+-]?\\d+)?|\\.\\d+([eE][+-]?\\d+)?)")) return Double.parseDouble(s);
            } catch (NumberFormatException ignored) {
                // fall through
            }
            throw new ExpressionException("could not convert string to float: " + PythonText.repr(textOf(v)));
        }
        throw new ExpressionException("`number` requires a number or a string, got " + PythonText.typeName(v));
    }

    private static Object bool(Object v) {
        String s = v instanceof byte[] ? textOf(v) : PythonText.str(v);
        s = s.toLowerCase(Locale.ROOT);
        return s.equals("true") || s.equals("1");
    }

    private static Object object(Object value, String subtype) {
        Object v = value instanceof String || value instanceof byte[] || value instanceof ByteSource ? PythonText.parseJson(textOf(value)) : value;
        if (!(v instanceof Map<?, ?> map)) throw new ExpressionException("`object` requires a JSON object, got " + PythonText.typeName(v));
        if (subtype == null || subtype.isBlank()) return v;
        Map<String, Object> out = new LinkedHashMap<>();
        for (String p : subtype.split(",")) {
            String path = p.strip();
            if (path.isEmpty()) continue;
            Object cur = map;
            String last = path;
            for (String seg : path.split("\\.")) {
                cur = cur instanceof Map<?, ?> m ? m.get(seg) : null;
                last = seg;
            }
            out.put(last, cur);
        }
        return out;
    }

    private static Object base64(Object v) {
        byte[] bytes;
        if (v instanceof byte[] b) bytes = b;
        else if (v instanceof String s) bytes = s.getBytes(StandardCharsets.UTF_8);
        else if (v instanceof BufferedImage img) bytes = encode(img, ImageFormat.PNG);
        else if (v instanceof ByteSource src) bytes = src.bytes();
        else bytes = PythonText.str(v).getBytes(StandardCharsets.UTF_8);
        return Base64.getEncoder().encodeToString(bytes);
    }

    // ---------------------------------------------------------------------------------------------- media

    private static Object media(Object value, String name, Expression.TypeSpec type, RenderContext ctx) {
        Object v = value;
        if (v instanceof String s) {
            if (type.format() != null) v = load(s, type.format(), ctx, name);
            else if (s.startsWith("data:")) v = load(s, "data-uri", ctx, name);
            else if (ctx.options().allowLocalPaths() && ctx.options().access().pathsAllowed()) v = localFile(s, ctx, name);
            else throw new ExpressionException("`" + name + "` requires " + (name.equals("image") ? "an image or raw image bytes" : "a file or raw bytes")
                    + ", got str (send the file as an upload or a data: URI, or write `as " + name + ";path` / `;url` / `;base64` to read "
                    + "a string that way)");
        }
        if (!name.equals("image")) {
            if (v instanceof ByteSource) return v;
            if (v instanceof byte[] b) return ByteSource.of(b, type.subtype() == null ? null : name + "/" + type.subtype(), null);
            if (v instanceof BufferedImage img) return ByteSource.of(encode(img, ImageFormat.PNG), "image/png", null);
            throw new ExpressionException("`" + name + "` requires a file or raw bytes, got " + PythonText.typeName(v));
        }
        BufferedImage image = image(v, ctx);
        if (type.subtype() == null) return image;
        ImageFormat format;
        try {
            format = ImageFormat.parse(type.subtype());
        } catch (IllegalArgumentException e) {
            throw new ExpressionException("`image/" + type.subtype() + "`: " + e.getMessage());
        }
        String mime = switch (format) {
            case PNG -> "image/png";
            case JPG -> "image/jpeg";
            case WEBP -> "image/webp";
        };
        return ByteSource.of(encode(image, format), mime, "image." + format.extension());
    }

    /**
     * Decodes image bytes once their header has been read and their memory reserved from the run's account, so that a
     * run refused for memory never decodes (and a decoder that runs out of heap is never mistaken for a broken file).
     */
    private static BufferedImage image(Object v, RenderContext ctx) {
        if (v instanceof BufferedImage img) return img;
        long maxPixels = ctx.options().maxPixels();
        try {
            // The image carries the file's ICC profile and EXIF, which every encoding of an output then keeps.
            if (v instanceof ByteSource src && src.path() != null) {
                admit(ImageFiles.header(src.path()), src.filename(), ctx);
                return ImageMetadataCarrier.attach(ImageFiles.readWithMetadata(src.path(), maxPixels));
            }
            if (v instanceof ByteSource || v instanceof byte[]) {
                byte[] bytes = v instanceof ByteSource src ? src.bytes() : (byte[]) v;
                String name = v instanceof ByteSource src && src.filename() != null ? src.filename() : "image";
                admit(ImageFiles.header(bytes, name), name, ctx);
                return ImageMetadataCarrier.attach(ImageFiles.readWithMetadata(bytes, name, maxPixels));
            }
        } catch (ImageReadException e) {
            throw new ExpressionException(e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new ExpressionException(e.getMessage(), e);
        }
        throw new ExpressionException("`image` requires an image or raw image bytes, got " + PythonText.typeName(v));
    }

    /** Reserves the decode; an image over the pixel limit is left to the decoder, which refuses it in its own words. */
    private static void admit(ImageHeader header, String name, RenderContext ctx) {
        if (header.pixels() > ctx.options().maxPixels()) return;
        ctx.options().memory().reserve(ImageCosts.decode(header.width(), header.height()),
                "decoding " + (name == null ? "an image" : name) + " (" + header.width() + "x" + header.height() + ")");
    }

    private static byte[] encode(BufferedImage img, ImageFormat format) {
        try {
            return ImageFiles.encode(img, format);
        } catch (IOException e) {
            throw new ExpressionException("cannot encode the image as " + format.extension() + ": " + e.getMessage(), e);
        }
    }

    private static ByteSource localFile(String s, RenderContext ctx, String name) {
        try {
            return ByteSource.ofPath(InputPaths.resolve(s, ctx.options().workingDir(), ctx.options().access(), name), null, null);
        } catch (ExpressionException e) {
            throw new ExpressionException("`" + name + "` requires " + (name.equals("image") ? "an image or raw image bytes" : "a file or raw bytes")
                    + ", got str: no file at '" + s + "'");
        }
    }

    /**
     * A string read through {@code ;path}, {@code ;url}, {@code ;base64} or {@code ;data-uri}, as far as the context's
     * {@link InputAccess} allows.
     *
     * @param forType the type converted to, for messages ({@code image})
     */
    public static ByteSource load(String s, String format, RenderContext ctx, String forType) {
        switch (format) {
            case "path":
                return ByteSource.ofPath(InputPaths.resolve(s, ctx.options().workingDir(), ctx.options().access(), forType + ";path"), null, null);
            case "base64":
                try {
                    return ByteSource.of(Base64.getMimeDecoder().decode(s.strip()), null, null);
                } catch (IllegalArgumentException e) {
                    throw new ExpressionException("`" + forType + ";base64`: invalid base64: " + e.getMessage());
                }
            case "data-uri":
                return dataUri(s, forType);
            case "url":
                return UrlInputs.fetch(s, ctx.options().access(), forType + ";url");
            default:
                throw new ExpressionException("Unknown format: " + format);
        }
    }

    private static ByteSource dataUri(String s, String forType) {
        int comma = s.indexOf(',');
        if (!s.startsWith("data:") || comma < 0) throw new ExpressionException("`" + forType + "`: not a data: URI");
        String meta = s.substring(5, comma);
        String data = s.substring(comma + 1);
        boolean b64 = meta.endsWith(";base64");
        String mime = b64 ? meta.substring(0, meta.length() - 7) : meta;
        int semi = mime.indexOf(';');
        if (semi >= 0) mime = mime.substring(0, semi);
        try {
            byte[] bytes = b64 ? Base64.getMimeDecoder().decode(data.strip())
                    : URLDecoder.decode(data.replace("+", "%2B"), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
            return ByteSource.of(bytes, mime.isEmpty() ? null : mime, null);
        } catch (IllegalArgumentException e) {
            throw new ExpressionException("`" + forType + "`: invalid data: URI: " + e.getMessage());
        }
    }
}
