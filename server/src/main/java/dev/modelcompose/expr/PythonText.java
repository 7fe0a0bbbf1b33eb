package dev.modelcompose.expr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Text as upstream (Python) writes it, so rendered strings match: {@code str()} ({@code True}, {@code 2.5},
 * {@code {'a': 1}}), and {@code json.dumps} with {@code ensure_ascii=False} ({@code {"a": 1}}, or indented by 2).
 */
public final class PythonText {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);

    private PythonText() {}

    /** Python {@code str(value)}. */
    public static String str(Object value) {
        if (value instanceof String s) return s;
        return repr(value);
    }

    /** Python {@code repr(value)} for the value types of the runtime. */
    public static String repr(Object value) {
        if (value == null) return "None";
        if (value instanceof String s) return quote(s);
        if (value instanceof Boolean b) return b ? "True" : "False";
        if (value instanceof Double || value instanceof Float) return floatRepr(((Number) value).doubleValue());
        if (value instanceof Number n) return n.toString();
        if (value instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                if (it.hasNext()) sb.append(", ");
            }
            return sb.append('}').toString();
        }
        if (value instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) sb.append(i == 0 ? "" : ", ").append(repr(l.get(i)));
            return sb.append(']').toString();
        }
        if (value instanceof BufferedImage img)
            return "<Image mode=" + (img.getColorModel().hasAlpha() ? "RGBA" : "RGB") + " size=" + img.getWidth() + "x" + img.getHeight() + ">";
        if (value instanceof byte[] b) return "<bytes length=" + b.length + ">";
        return String.valueOf(value);
    }

    /** Python's type name of a value, for messages: str, int, float, bool, dict, list, bytes, NoneType, Image. */
    public static String typeName(Object value) {
        if (value == null) return "NoneType";
        if (value instanceof String) return "str";
        if (value instanceof Boolean) return "bool";
        if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) return "float";
        if (value instanceof Number) return "int";
        if (value instanceof Map) return "dict";
        if (value instanceof List) return "list";
        if (value instanceof byte[]) return "bytes";
        if (value instanceof BufferedImage) return "Image";
        if (value instanceof ByteSource) return "stream";
        return value.getClass().getSimpleName();
    }

    private static String quote(String s) {
        char q = s.contains("'") && !s.contains("\"") ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(q);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c == q) sb.append('\\').append(c);
                    else if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append(q).toString();
    }

    /** Python's float repr: {@code 3.0}, {@code 0.1}, {@code 1e+20}, {@code 1e-05}, {@code inf}, {@code nan}. */
    public static String floatRepr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        String sign = d < 0 ? "-" : "";
        BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = bd.unscaledValue().toString();
        int exp = digits.length() - 1 - bd.scale();
        if (exp >= -4 && exp < 16) {
            String plain = bd.toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }

    /** {@code json.dumps(value, ensure_ascii=False)}: {@code {"a": 1, "b": [1, 2]}}. */
    public static String json(Object value) {
        StringBuilder sb = new StringBuilder();
        writeJson(sb, value, -1, 0);
        return sb.toString();
    }

    /** {@code json.dumps(value, indent=2, ensure_ascii=False)}. */
    public static String prettyJson(Object value) {
        StringBuilder sb = new StringBuilder();
        writeJson(sb, value, 2, 0);
        return sb.toString();
    }

    private static void writeJson(StringBuilder sb, Object v, int indent, int level) {
        if (v == null) sb.append("null");
        else if (v instanceof String s) jsonString(sb, s);
        else if (v instanceof Boolean b) sb.append(b ? "true" : "false");
        else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            sb.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : floatRepr(d));
        } else if (v instanceof Number n) sb.append(n);
        else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) sb.append(indent < 0 ? ", " : ",");
                first = false;
                newline(sb, indent, level + 1);
                jsonString(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                writeJson(sb, e.getValue(), indent, level + 1);
            }
            newline(sb, indent, level);
            sb.append('}');
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) sb.append(indent < 0 ? ", " : ",");
                newline(sb, indent, level + 1);
                writeJson(sb, l.get(i), indent, level + 1);
            }
            newline(sb, indent, level);
            sb.append(']');
        } else jsonString(sb, repr(v));
    }

    private static void newline(StringBuilder sb, int indent, int level) {
        if (indent < 0) return;
        sb.append('\n');
        sb.append(" ".repeat(indent * level));
    }

    private static void jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    /**
     * Parses JSON into plain values: ordered Maps, Lists, String, Long (BigInteger when huge), Double, Boolean, null.
     *
     * @throws ExpressionException when the text is not JSON
     */
    public static Object parseJson(String text) {
        try {
            return normalise(JSON.readValue(text, Object.class));
        } catch (JsonProcessingException e) {
            throw new ExpressionException("invalid JSON: " + e.getOriginalMessage());
        }
    }

    /** Jackson's (or anyone's) values in the runtime's number types: Integer to Long, BigDecimal/Float to Double. */
    public static Object normalise(Object v) {
        if (v instanceof Integer i) return i.longValue();
        if (v instanceof Short s) return s.longValue();
        if (v instanceof Float f) return f.doubleValue();
        if (v instanceof BigDecimal b) return b.doubleValue();
        if (v instanceof BigInteger b && b.bitLength() < 64) return b.longValue();
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), normalise(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object x : l) out.add(normalise(x));
            return out;
        }
        return v;
    }
}
