package dev.modelcompose.compose;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as plain values that remember where they were written, so that merged files can still say which
 * file and line a key came from.
 */
public sealed interface YamlNode permits YamlNode.Mapping, YamlNode.Sequence, YamlNode.Scalar {
    Origin origin();

    /** The value as plain Java: {@code Map<String,Object>} (ordered), {@code List}, String, Long, Double, Boolean, null. */
    Object toPlain();

    /** What kind of value this is, for messages: "a mapping", "a list", "a string", "an integer"... */
    String describe();

    /** A key of a mapping with the position of the key itself. */
    record Entry(String key, Origin keyOrigin, YamlNode value) {}

    record Mapping(Map<String, Entry> entries, Origin origin) implements YamlNode {
        public Mapping {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        public YamlNode get(String key) {
            Entry e = entries.get(key);
            return e == null ? null : e.value();
        }

        public boolean has(String key) {
            return entries.containsKey(key);
        }

        @Override
        public Object toPlain() {
            Map<String, Object> out = new LinkedHashMap<>();
            entries.forEach((k, e) -> out.put(k, e.value().toPlain()));
            return out;
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    record Sequence(List<YamlNode> items, Origin origin) implements YamlNode {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public Object toPlain() {
            List<Object> out = new ArrayList<>(items.size());
            for (YamlNode item : items) out.add(item.toPlain());
            return out;
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /** A scalar: String, Long (or BigInteger), Double, Boolean, or null. */
    record Scalar(Object value, Origin origin) implements YamlNode {
        @Override
        public Object toPlain() {
            return value;
        }

        @Override
        public String describe() {
            if (value == null) return "null";
            if (value instanceof String s) return "\"" + s + "\"";
            if (value instanceof Boolean) return "boolean " + value;
            if (value instanceof Double) return "number " + value;
            return "integer " + value;
        }
    }

    /**
     * Merges {@code later} over {@code earlier} the way {@code -f a.yml -f b.yml} does: mappings merge key by key,
     * recursively; anything else, lists included, is replaced by the later value.
     */
    static YamlNode merge(YamlNode earlier, YamlNode later) {
        if (earlier instanceof Mapping a && later instanceof Mapping b) {
            Map<String, Entry> out = new LinkedHashMap<>(a.entries());
            for (Entry e : b.entries().values()) {
                Entry old = out.get(e.key());
                out.put(e.key(), old == null ? e : new Entry(e.key(), e.keyOrigin(), merge(old.value(), e.value())));
            }
            return new Mapping(out, a.origin());
        }
        return later;
    }
}
