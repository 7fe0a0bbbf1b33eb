package dev.modelcompose.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Form keys that nest by bracket or dot syntax ({@code input[image]}, {@code input.image}): {@code k[]} collects a
 * list under {@code "k[]"}, a later key replaces an earlier one. A key with an empty segment ({@code .},
 * {@code a..b}, {@code a[]b}) is refused with a 400 naming it.
 */
final class FormFields {
    private FormFields() {}

    @SuppressWarnings("unchecked")
    static void put(Map<String, Object> root, String key, Object value) {
        if (key.length() > 2 && key.endsWith("[]") && !key.substring(0, key.length() - 2).contains("[")) {
            ((List<Object>) root.computeIfAbsent(key, k -> new ArrayList<>())).add(value);
            return;
        }
        List<String> path = path(key);
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

    private static List<String> path(String key) {
        List<String> path = new ArrayList<>();
        for (String dotted : key.split("\\.", -1)) {
            int b = dotted.indexOf('[');
            if (b < 0 || !dotted.endsWith("]")) {
                path.add(dotted);
                continue;
            }
            path.add(dotted.substring(0, b));
            for (String seg : dotted.substring(b + 1, dotted.length() - 1).split("\\]\\[", -1)) path.add(seg);
        }
        for (String seg : path)
            if (seg.isEmpty()) throw new ApiError(400, "Invalid request body: the field name '" + abbreviate(key)
                    + "' has an empty part; use names such as image, input[image] or input.image");
        return path;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
