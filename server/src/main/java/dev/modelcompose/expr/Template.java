package dev.modelcompose.expr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A value from a compose file with its {@code ${...}} expressions parsed once, ready to render many times.
 *
 * <ul>
 *   <li>A string that is exactly one expression renders to the expression's typed value (a map, a number, an
 *       image...).</li>
 *   <li>A string with text around expressions renders each as Python {@code str()} would ({@code True}, {@code 2.5},
 *       {@code {'a': 1}}), null as the empty string.</li>
 *   <li>Maps and lists render element by element; a {@code "...": ${x}} entry spreads a map into its map, a
 *       {@code "...${x}"} item spreads a list into its list.</li>
 * </ul>
 */
public abstract sealed class Template permits Template.Literal, Template.Single, Template.Interpolated, Template.MapTemplate,
        Template.ListTemplate {
    private static final String SPREAD = "...";

    /** Compiles a plain value (as read from YAML or JSON). */
    public static Template compile(Object value) {
        if (value instanceof String s) return compileString(s);
        if (value instanceof Map<?, ?> m) {
            Map<String, Template> entries = new LinkedHashMap<>();
            m.forEach((k, v) -> entries.put(String.valueOf(k), compile(v)));
            return new MapTemplate(entries);
        }
        if (value instanceof List<?> l) {
            List<Template> items = new ArrayList<>(l.size());
            for (Object v : l) items.add(compile(v));
            return new ListTemplate(items);
        }
        return new Literal(value);
    }

    private static Template compileString(String s) {
        if (!s.contains("${")) return new Literal(s);
        List<Object> parts = new ArrayList<>();  // String or Expression
        int i = 0;
        StringBuilder literal = new StringBuilder();
        while (i < s.length()) {
            int start = s.indexOf("${", i);
            if (start < 0) {
                literal.append(s, i, s.length());
                break;
            }
            literal.append(s, i, start);
            int end = matchingBrace(s, start);
            if (end < 0) {
                literal.append(s, start, s.length());
                break;
            }
            Expression e = Expression.parse(s.substring(start, end + 1));
            if (e == null) {
                literal.append(s, start, end + 1);
            } else {
                if (literal.length() > 0) parts.add(literal.toString());
                literal.setLength(0);
                parts.add(e);
            }
            i = end + 1;
        }
        if (literal.length() > 0) parts.add(literal.toString());
        if (parts.size() == 1 && parts.get(0) instanceof Expression e) return new Single(e);
        if (parts.stream().noneMatch(p -> p instanceof Expression)) return new Literal(s);
        return new Interpolated(parts);
    }

    /** The index of the {@code }} closing the {@code ${} at {@code start}, or -1. */
    private static int matchingBrace(String s, int start) {
        int depth = 0;
        for (int i = start + 1; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '{') depth++;
            else if (ch == '}' && --depth == 0) return i;
        }
        return -1;
    }

    /** Renders against the sources of {@code ctx}. Conversion errors ({@link ExpressionException}) propagate. */
    public abstract Object render(RenderContext ctx);

    /** Every expression inside, in order (for schema inference). */
    public List<Expression> expressions() {
        List<Expression> out = new ArrayList<>();
        collect(out);
        return out;
    }

    abstract void collect(List<Expression> out);

    /** True when this is exactly {@code ${name}}: the value passes through unchanged. */
    public boolean isBare(String name) {
        return this instanceof Single s && s.expression().isBare(name);
    }

    /** True when rendering gives the value back as it is (no expressions). */
    public boolean isConstant() {
        return expressions().isEmpty();
    }

    /** A value without expressions. */
    public static final class Literal extends Template {
        private final Object value;

        Literal(Object value) {
            this.value = value;
        }

        public Object value() {
            return value;
        }

        @Override
        public Object render(RenderContext ctx) {
            return value;
        }

        @Override
        void collect(List<Expression> out) {}
    }

    /** A string that is one expression: renders to its typed value. */
    public static final class Single extends Template {
        private final Expression expression;

        Single(Expression expression) {
            this.expression = expression;
        }

        public Expression expression() {
            return expression;
        }

        @Override
        public Object render(RenderContext ctx) {
            return expression.evaluate(ctx);
        }

        @Override
        void collect(List<Expression> out) {
            out.add(expression);
            if (expression.defaultValue() != null) expression.defaultValue().collect(out);
        }
    }

    /** Text with expressions in it: renders to a string. */
    public static final class Interpolated extends Template {
        private final List<Object> parts;

        Interpolated(List<Object> parts) {
            this.parts = List.copyOf(parts);
        }

        @Override
        public Object render(RenderContext ctx) {
            StringBuilder sb = new StringBuilder();
            for (Object p : parts) {
                if (p instanceof Expression e) {
                    Object v = e.evaluate(ctx);
                    if (v != null) sb.append(PythonText.str(v));
                } else {
                    sb.append((String) p);
                }
            }
            return sb.toString();
        }

        @Override
        void collect(List<Expression> out) {
            for (Object p : parts)
                if (p instanceof Expression e) {
                    out.add(e);
                    if (e.defaultValue() != null) e.defaultValue().collect(out);
                }
        }
    }

    /** A map of templates. */
    public static final class MapTemplate extends Template {
        private final Map<String, Template> entries;

        MapTemplate(Map<String, Template> entries) {
            this.entries = entries;
        }

        public Map<String, Template> entries() {
            return java.util.Collections.unmodifiableMap(entries);
        }

        @Override
        public Object render(RenderContext ctx) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, Template> e : entries.entrySet()) {
                Object v = e.getValue().render(ctx);
                if (SPREAD.equals(e.getKey())) {
                    if (v instanceof Map<?, ?> m) m.forEach((k, x) -> out.put(String.valueOf(k), x));
                    else if (v != null) throw new ExpressionException("a \"...\" entry needs a mapping to spread, got " + PythonText.typeName(v));
                } else {
                    out.put(e.getKey(), v);
                }
            }
            return out;
        }

        @Override
        void collect(List<Expression> out) {
            entries.values().forEach(t -> t.collect(out));
        }
    }

    /** A list of templates. */
    public static final class ListTemplate extends Template {
        private final List<Template> items;
        private final List<Boolean> spread = new ArrayList<>();

        ListTemplate(List<Template> items) {
            List<Template> compiled = new ArrayList<>(items.size());
            for (Template t : items) {
                if (t instanceof Interpolated i && i.parts.size() == 2 && SPREAD.equals(i.parts.get(0))
                        && i.parts.get(1) instanceof Expression e) {
                    compiled.add(new Single(e));
                    spread.add(true);
                } else {
                    compiled.add(t);
                    spread.add(false);
                }
            }
            this.items = compiled;
        }

        @Override
        public Object render(RenderContext ctx) {
            List<Object> out = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                Object v = items.get(i).render(ctx);
                if (spread.get(i)) {
                    if (v instanceof List<?> l) out.addAll(l);
                    else if (v != null) out.add(v);
                } else {
                    out.add(v);
                }
            }
            return out;
        }

        @Override
        void collect(List<Expression> out) {
            items.forEach(t -> t.collect(out));
        }
    }
}
