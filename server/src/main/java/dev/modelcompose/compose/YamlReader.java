package dev.modelcompose.compose;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Parses YAML text (SnakeYAML, YAML 1.1 like upstream's PyYAML, safe types only) into {@link YamlNode}s that keep file
 * positions. Anchors, aliases and {@code <<} merge keys work; a duplicate key is a warning and the later one wins.
 * Aliases share nodes, but everything that reads the document (plain values, merges, substitution) sees them
 * expanded: a document that would expand to more than {@link #MAX_EXPANDED_VALUES} values ("billion laughs") is
 * refused while it is converted, naming the file and line of the value that crossed the limit.
 */
public final class YamlReader {
    /** Far more values than any compose file has; a few kilobytes of aliases can stand for billions. */
    public static final long MAX_EXPANDED_VALUES = 100_000;

    private YamlReader() {}

    /** Scalars constructed with SnakeYAML's own safe rules (ints, floats, booleans, nulls, timestamps as text). */
    private static final class Scalars extends SafeConstructor {
        Scalars() {
            super(new LoaderOptions());
        }

        Object construct(ScalarNode node) {
            if (Tag.TIMESTAMP.equals(node.getTag()) || Tag.BINARY.equals(node.getTag())) return node.getValue();
            Object v = constructObject(node);
            if (v instanceof Integer i) return i.longValue();
            if (v instanceof Float f) return f.doubleValue();
            return v;
        }
    }

    /**
     * @param fileLabel the file name to show in positions
     * @param warnings  receives duplicate-key warnings
     * @throws ComposeException {@code YAML parsing error:} and SnakeYAML's explanation, with the position
     */
    public static YamlNode read(String text, String fileLabel, Consumer<Diagnostic> warnings) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true);
        options.setMaxAliasesForCollections(200);
        Node root;
        try {
            root = new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = m == null ? fileLabel : fileLabel + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? e.getContext() + ", " : "";
            throw new ComposeException("YAML parsing error:\n" + where + ": " + context + problem);
        } catch (YAMLException e) {
            throw new ComposeException("YAML parsing error:\n" + fileLabel + ": " + e.getMessage());
        }
        if (root == null) return new YamlNode.Mapping(Map.of(), new Origin(fileLabel, 1, 1));
        return new Converter(fileLabel, warnings).convert(root, 0);
    }

    private static final class Converter {
        private final String file;
        private final Consumer<Diagnostic> warnings;
        private final Scalars scalars = new Scalars();
        private final Map<Node, YamlNode> done = new IdentityHashMap<>();
        /** Each converted value's size once aliases are expanded: itself and everything inside it. */
        private final Map<YamlNode, Long> expanded = new IdentityHashMap<>();

        Converter(String file, Consumer<Diagnostic> warnings) {
            this.file = file;
            this.warnings = warnings;
        }

        Origin origin(Node node) {
            Mark m = node.getStartMark();
            return m == null ? new Origin(file, 0, 0) : new Origin(file, m.getLine() + 1, m.getColumn() + 1);
        }

        YamlNode convert(Node node, int depth) {
            if (depth > 200) throw new ComposeException("YAML parsing error:\n" + origin(node) + ": nesting is too deep");
            YamlNode cached = done.get(node);
            if (cached != null) return cached;
            YamlNode out;
            if (node instanceof ScalarNode s) {
                Object v;
                try {
                    v = scalars.construct(s);
                } catch (RuntimeException e) {
                    v = s.getValue();
                }
                out = new YamlNode.Scalar(v, origin(node));
            } else if (node instanceof SequenceNode seq) {
                List<YamlNode> items = new ArrayList<>();
                for (Node item : seq.getValue()) items.add(convert(item, depth + 1));
                out = new YamlNode.Sequence(items, origin(node));
            } else if (node instanceof MappingNode map) {
                Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
                Map<String, YamlNode.Entry> merged = new LinkedHashMap<>();
                for (NodeTuple t : map.getValue()) {
                    Node k = t.getKeyNode();
                    if (Tag.MERGE.equals(k.getTag())) {
                        YamlNode src = convert(t.getValueNode(), depth + 1);
                        List<YamlNode> sources = src instanceof YamlNode.Sequence sq ? sq.items() : List.of(src);
                        for (YamlNode one : sources)
                            if (one instanceof YamlNode.Mapping m)
                                m.entries().forEach(merged::putIfAbsent);
                        continue;
                    }
                    String key = k instanceof ScalarNode ks ? ks.getValue() : String.valueOf(convert(k, depth + 1).toPlain());
                    if (entries.containsKey(key))
                        warnings.accept(new Diagnostic(Diagnostic.Severity.WARNING, origin(k), null,
                                "duplicate key '" + key + "' (the later value is used; the first was at line "
                                        + entries.get(key).keyOrigin().line() + ")"));
                    entries.put(key, new YamlNode.Entry(key, origin(k), convert(t.getValueNode(), depth + 1)));
                }
                merged.forEach(entries::putIfAbsent);
                out = new YamlNode.Mapping(entries, origin(node));
            } else {
                out = new YamlNode.Scalar(null, origin(node));
            }
            count(out, node);
            done.put(node, out);
            return out;
        }

        private void count(YamlNode out, Node node) {
            long size = 1;
            if (out instanceof YamlNode.Sequence seq) for (YamlNode item : seq.items()) size += expanded.getOrDefault(item, 1L);
            if (out instanceof YamlNode.Mapping m) for (YamlNode.Entry e : m.entries().values()) size += 1 + expanded.getOrDefault(e.value(), 1L);
            if (size > MAX_EXPANDED_VALUES)
                throw new ComposeException("YAML parsing error:\n" + origin(node) + ": this value expands to more than " + MAX_EXPANDED_VALUES
                        + " values through its aliases (*name); a compose file needs far fewer, so the file is refused");
            expanded.put(out, size);
        }
    }
}
