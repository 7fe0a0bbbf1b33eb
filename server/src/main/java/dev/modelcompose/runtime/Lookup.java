package dev.modelcompose.runtime;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Finds a workflow, component or action by id. {@code __default__} (or null) means: the only one if there is exactly
 * one, else the first marked {@code default: true}.
 */
final class Lookup {
    static final String DEFAULT = "__default__";

    private Lookup() {}

    static <T> Optional<T> find(List<T> items, String id, Function<T, String> idOf, Predicate<T> isDefault) {
        if (id == null || DEFAULT.equals(id)) {
            if (items.size() == 1) return Optional.of(items.get(0));
            return items.stream().filter(isDefault).findFirst();
        }
        return items.stream().filter(t -> id.equals(idOf.apply(t))).findFirst();
    }

    /** Why {@link #find} found nothing, e.g. "there are 2 components and none has default: true". */
    static <T> String why(List<T> items, String id, String kind) {
        if (items.isEmpty()) return "there are no " + kind + "s";
        if (id == null || DEFAULT.equals(id)) return "there are " + items.size() + " " + kind + "s and none has default: true";
        return null;
    }
}
