package dev.modelcompose.expr;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code ${...}}, parsed (contract §2.2):
 * {@code ${ KEY[INDEX]? (.PATH)? (as TYPE([])? (/SUBTYPE([ATTRS])?)? (;FORMAT)?)? (| DEFAULT)? (@(NAME VALUE))* }}.
 *
 * @param key          the source: input, output, result, jobs, context, item, index, error...
 * @param streamSource {@code result[]}: a streaming source (treated as the source itself for now)
 * @param keyIndex     an index or slice written right after the key, or null; ignored for {@code input}
 * @param path         the path segments after the first dot
 * @param type         the conversion after {@code as}, or null
 * @param defaultValue the template after {@code |}, or null
 * @param annotations  {@code @(description Some text)}, for UI hints only
 * @param text         the expression as written, {@code ${...}} included
 */
public record Expression(String key, boolean streamSource, Segment keyIndex, List<Segment> path, TypeSpec type, Template defaultValue,
                         Map<String, String> annotations, String text) {
    public Expression {
        path = List.copyOf(path);
        annotations = Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
    }

    /** A step of a path: a name, an index (negative counts from the end), a slice, or {@code [*]}. */
    public sealed interface Segment permits Name, Index, Slice, Each {}

    public record Name(String name) implements Segment {}

    public record Index(int index) implements Segment {}

    /** Python slice bounds; null = open. */
    public record Slice(Integer from, Integer to) implements Segment {}

    public record Each() implements Segment {}

    /**
     * {@code as TYPE[]/SUBTYPE[ATTRS];FORMAT}.
     *
     * @param attrs templates of {@code k=v} pairs in brackets after the subtype
     */
    public record TypeSpec(String name, boolean list, String subtype, Map<String, Template> attrs, String format) {
        @Override
        public String toString() {
            return name + (list ? "[]" : "") + (subtype == null ? "" : "/" + subtype) + (format == null ? "" : ";" + format);
        }
    }

    /** True for a bare {@code ${name}}: no index, path, type or default. */
    public boolean isBare(String name) {
        return key.equals(name) && keyIndex == null && path.isEmpty() && type == null && defaultValue == null && !streamSource;
    }

    /** The path as written, names joined by dots: {@code image} for {@code ${input.image}}. */
    public String pathText() {
        StringBuilder sb = new StringBuilder();
        for (Segment s : path) {
            if (s instanceof Name n) sb.append(sb.length() == 0 ? "" : ".").append(n.name());
            else if (s instanceof Index i) sb.append('[').append(i.index()).append(']');
            else if (s instanceof Slice sl) sb.append('[').append(sl.from() == null ? "" : sl.from()).append(':')
                    .append(sl.to() == null ? "" : sl.to()).append(']');
            else sb.append("[*]");
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------------------- evaluation

    /** The value: the source, indexed, followed along the path, defaulted when null, converted per {@code as}. */
    public Object evaluate(RenderContext ctx) {
        Object value;
        try {
            value = ctx.source(key);
            if (keyIndex != null && !"input".equals(key)) value = step(value, keyIndex, List.of(), 0);
            value = follow(value, path, 0);
        } catch (RuntimeException e) {
            value = null;  // a failing source resolves to null, so the default applies
        }
        if (value == null && defaultValue != null) value = defaultValue.render(ctx);
        if (type == null) return value;
        return Conversions.convert(value, type, ctx, this);
    }

    private static Object follow(Object value, List<Segment> segments, int from) {
        Object v = value;
        for (int i = from; i < segments.size(); i++) {
            Segment s = segments.get(i);
            if (s instanceof Each) {
                if (!(v instanceof List<?> list)) return null;
                List<Object> out = new ArrayList<>(list.size());
                for (Object item : list) out.add(follow(item, segments, i + 1));
                return out;
            }
            v = step(v, s, segments, i);
            if (v == null) return null;
        }
        return v;
    }

    private static Object step(Object v, Segment s, List<Segment> all, int at) {
        if (s instanceof Name n) return v instanceof Map<?, ?> m ? m.get(n.name()) : null;
        if (s instanceof Index i) {
            if (!(v instanceof List<?> l)) return null;
            int idx = i.index() < 0 ? l.size() + i.index() : i.index();
            return idx >= 0 && idx < l.size() ? l.get(idx) : null;
        }
        if (s instanceof Slice sl) {
            if (v instanceof List<?> l) {
                int[] r = bounds(sl, l.size());
                return new ArrayList<>(l.subList(r[0], Math.max(r[0], r[1])));
            }
            if (v instanceof String str) {
                int[] r = bounds(sl, str.length());
                return str.substring(r[0], Math.max(r[0], r[1]));
            }
            return null;
        }
        if (s instanceof Each) return follow(v, all, at);
        return null;
    }

    private static int[] bounds(Slice s, int size) {
        int a = s.from() == null ? 0 : s.from() < 0 ? Math.max(0, size + s.from()) : Math.min(size, s.from());
        int b = s.to() == null ? size : s.to() < 0 ? Math.max(0, size + s.to()) : Math.min(size, s.to());
        return new int[] {a, b};
    }

    @Override
    public String toString() {
        return text;
    }

    // ---------------------------------------------------------------------------------------------- parsing

    /**
     * Parses the inside of {@code ${...}} ({@code text} is the whole {@code ${...}}).
     *
     * @return null when it is not an expression (it is then kept as literal text, as upstream's pattern would)
     */
    static Expression parse(String text) {
        String body = text.substring(2, text.length() - 1);
        Cursor c = new Cursor(body);
        c.skipSpace();
        int start = c.pos;
        if (c.end() || !(Character.isLetter(c.peek()) || c.peek() == '_')) return null;
        while (!c.end() && ".[ \t\n\r|}@".indexOf(c.peek()) < 0) c.pos++;
        String key = body.substring(start, c.pos);
        boolean stream = false;
        if (c.startsWith("[]")) {
            stream = true;
            c.pos += 2;
        }
        Segment keyIndex = null;
        if (c.startsWith("[")) {
            int close = body.indexOf(']', c.pos);
            if (close < 0) return null;
            keyIndex = bracket(body.substring(c.pos + 1, close));
            if (keyIndex == null) return null;
            c.pos = close + 1;
        }
        List<Segment> path = new ArrayList<>();
        if (c.startsWith(".")) {
            c.pos++;
            int p = c.pos;
            while (!c.end() && " \t\n\r|".indexOf(c.peek()) < 0) c.pos++;
            List<Segment> parsed = parsePath(body.substring(p, c.pos));
            if (parsed == null) return null;
            path.addAll(parsed);
        }
        c.skipSpace();
        TypeSpec type = null;
        if (c.startsWith("as") && c.pos + 2 < body.length() && Character.isWhitespace(body.charAt(c.pos + 2))) {
            c.pos += 2;
            c.skipSpace();
            int p = c.pos;
            int depth = 0;
            while (!c.end()) {
                char ch = c.peek();
                if (ch == '[' || ch == '{') depth++;
                else if (ch == ']' || ch == '}') depth--;
                else if (depth == 0 && (Character.isWhitespace(ch) || ch == '|' || ch == '@')) break;
                c.pos++;
            }
            type = parseType(body.substring(p, c.pos));
            if (type == null) return null;
            c.skipSpace();
        }
        Template def = null;
        Map<String, String> annotations = new LinkedHashMap<>();
        String rest = body.substring(c.pos);
        int annotationAt = annotationStart(rest);
        String beforeAnnotations = annotationAt < 0 ? rest : rest.substring(0, annotationAt);
        if (beforeAnnotations.startsWith("|")) {
            String d = beforeAnnotations.substring(1).stripLeading();
            if (annotationAt >= 0) d = d.stripTrailing();
            def = Template.compile(d);
        } else if (!beforeAnnotations.isBlank()) {
            return null;
        }
        if (annotationAt >= 0 && !parseAnnotations(rest.substring(annotationAt), annotations)) return null;
        return new Expression(key, stream, keyIndex, path, type, def, annotations, text);
    }

    /** Where {@code @(} starts outside nested {@code ${...}}, or -1. */
    private static int annotationStart(String s) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '{') depth++;
            else if (ch == '}') depth--;
            else if (depth == 0 && ch == '@' && i + 1 < s.length() && s.charAt(i + 1) == '(') return i;
        }
        return -1;
    }

    private static boolean parseAnnotations(String s, Map<String, String> out) {
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
            if (i >= s.length()) break;
            if (!s.startsWith("@(", i)) return false;
            int depth = 0, j = i + 1;
            for (; j < s.length(); j++) {
                if (s.charAt(j) == '(') depth++;
                else if (s.charAt(j) == ')' && --depth == 0) break;
            }
            if (j >= s.length()) return false;
            String inner = s.substring(i + 2, j).strip();
            int sp = inner.indexOf(' ');
            out.put(sp < 0 ? inner : inner.substring(0, sp), sp < 0 ? "" : inner.substring(sp + 1).strip());
            i = j + 1;
        }
        return true;
    }

    private static Segment bracket(String inside) {
        String s = inside.strip();
        if (s.equals("*")) return new Each();
        int colon = s.indexOf(':');
        try {
            if (colon >= 0) {
                String a = s.substring(0, colon).strip(), b = s.substring(colon + 1).strip();
                return new Slice(a.isEmpty() ? null : Integer.parseInt(a), b.isEmpty() ? null : Integer.parseInt(b));
            }
            return new Index(Integer.parseInt(s));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static List<Segment> parsePath(String p) {
        List<Segment> out = new ArrayList<>();
        int i = 0;
        while (i < p.length()) {
            char ch = p.charAt(i);
            if (ch == '.') {
                i++;
            } else if (ch == '[') {
                int close = p.indexOf(']', i);
                if (close < 0) return null;
                Segment s = bracket(p.substring(i + 1, close));
                if (s == null) return null;
                out.add(s);
                i = close + 1;
            } else {
                int j = i;
                while (j < p.length() && (Character.isLetterOrDigit(p.charAt(j)) || p.charAt(j) == '_' || p.charAt(j) == '-')) j++;
                if (j == i) return null;
                out.add(new Name(p.substring(i, j)));
                i = j;
            }
        }
        return out;
    }

    private static TypeSpec parseType(String spec) {
        int i = 0;
        while (i < spec.length() && (Character.isLetterOrDigit(spec.charAt(i)) || spec.charAt(i) == '_' || spec.charAt(i) == '-')) i++;
        if (i == 0) return null;
        String name = spec.substring(0, i);
        boolean list = false;
        if (spec.startsWith("[]", i)) {
            list = true;
            i += 2;
        }
        String subtype = null;
        Map<String, Template> attrs = new LinkedHashMap<>();
        if (i < spec.length() && spec.charAt(i) == '/') {
            int j = ++i;
            while (j < spec.length() && spec.charAt(j) != '[' && spec.charAt(j) != ';') j++;
            subtype = spec.substring(i, j);
            i = j;
            if (i < spec.length() && spec.charAt(i) == '[') {
                int depth = 0, k = i;
                for (; k < spec.length(); k++) {
                    if (spec.charAt(k) == '[') depth++;
                    else if (spec.charAt(k) == ']' && --depth == 0) break;
                }
                if (k >= spec.length()) return null;
                for (String pair : splitTopLevel(spec.substring(i + 1, k))) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) attrs.put(pair.substring(0, eq).strip(), Template.compile(pair.substring(eq + 1).strip()));
                    else if (!pair.isBlank()) attrs.put(pair.strip(), Template.compile(""));
                }
                i = k + 1;
            }
        }
        String format = null;
        if (i < spec.length() && spec.charAt(i) == ';') {
            format = spec.substring(i + 1);
            i = spec.length();
        }
        if (i != spec.length()) return null;
        return new TypeSpec(name, list, subtype, attrs, format);
    }

    private static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '{') depth++;
            else if (ch == '}') depth--;
            else if (ch == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    private static final class Cursor {
        final String s;
        int pos;

        Cursor(String s) {
            this.s = s;
        }

        boolean end() {
            return pos >= s.length();
        }

        char peek() {
            return s.charAt(pos);
        }

        boolean startsWith(String prefix) {
            return s.startsWith(prefix, pos);
        }

        void skipSpace() {
            while (!end() && Character.isWhitespace(peek())) pos++;
        }
    }
}
