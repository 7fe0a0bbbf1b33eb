package dev.modelcompose.runtime;

import dev.modelcompose.compose.ComponentConfig;
import dev.modelcompose.compose.ComposeConfig;
import dev.modelcompose.compose.ImageUpscaleConfig;
import dev.modelcompose.compose.JobConfig;
import dev.modelcompose.compose.WorkflowConfig;
import dev.modelcompose.expr.Conversions;
import dev.modelcompose.expr.Expression;
import dev.modelcompose.expr.RenderContext;
import dev.modelcompose.expr.Template;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a workflow takes and gives (contract §2.6), inferred from its templates: for {@code GET /workflows/{id}/schema},
 * the web page's widgets and MCP. For the example: input {@code [{name: image, type: image}]}, output
 * {@code [{type: image}]}.
 */
public record WorkflowSchema(String workflowId, String title, String description, List<Variable> input, List<Variable> output,
                             boolean isDefault) {
    /**
     * One variable.
     *
     * @param name         null for an unnamed output (the whole value)
     * @param type         the {@code as} type, {@code string} by default for inputs, {@code any} when unknown
     * @param defaultValue the {@code | default}, converted per type; null when none
     */
    public record Variable(String name, String type, boolean isList, String subtype, String format, Object defaultValue,
                           Map<String, String> annotations) {}

    public static WorkflowSchema of(WorkflowConfig w, ComposeConfig config) {
        Map<String, Variable> input = new LinkedHashMap<>();
        for (JobConfig j : w.jobs()) {
            boolean passThrough = j.input() == null || Template.compile(j.input()).isBare("input");
            List<Template> sources = new ArrayList<>();
            if (passThrough) {
                ComponentConfig c = component(j, config);
                if (c instanceof ImageUpscaleConfig u) {
                    Optional<ImageUpscaleConfig.Action> a = Lookup.find(u.actions(), j.action(), ImageUpscaleConfig.Action::id,
                            ImageUpscaleConfig.Action::isDefault);
                    a.ifPresent(action -> {
                        sources.add(Template.compile(action.image()));
                        sources.add(Template.compile(action.batchSize()));
                        ImageUpscaleConfig.Params p = action.params();
                        for (Object v : new Object[] {p.tileSize(), p.tilePadSize(), p.prePadSize(), p.tileBatchSize()}) sources.add(Template.compile(v));
                    });
                }
            } else {
                sources.add(Template.compile(j.input()));
            }
            if (w.output() != null) sources.add(Template.compile(w.output()));
            for (Template t : sources)
                for (Expression e : t.expressions())
                    if (e.key().equals("input") && !e.path().isEmpty()) input.putIfAbsent(e.pathText(), variable(e.pathText(), e, "string"));
        }

        List<Variable> output = new ArrayList<>();
        if (w.output() != null) {
            outputs(w.output(), null, output);
        } else {
            for (JobConfig j : w.jobs()) {
                if (w.jobs().stream().anyMatch(o -> o.dependsOn().stream().anyMatch(g -> g.contains(j.id())))) continue;
                Object out = j.output();
                if (out == null || Template.compile(out).isBare("output")) {
                    ComponentConfig c = component(j, config);
                    out = c == null ? null : Lookup.find(c.actions(), j.action(), ComponentConfig.ActionConfig::id,
                            ComponentConfig.ActionConfig::isDefault).map(ComponentConfig.ActionConfig::output).orElse(null);
                }
                if (out != null) outputs(out, null, output);
            }
        }
        if (output.isEmpty()) output.add(new Variable(null, "any", false, null, null, null, Map.of()));
        return new WorkflowSchema(w.id(), w.title(), w.description(), List.copyOf(input.values()), output, w.isDefault());
    }

    private static ComponentConfig component(JobConfig j, ComposeConfig config) {
        if (j.inlineComponent() != null) return j.inlineComponent();
        return Lookup.find(config.components(), j.componentId(), ComponentConfig::id, ComponentConfig::isDefault).orElse(null);
    }

    private static void outputs(Object template, String name, List<Variable> out) {
        if (template instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet())
                outputs(e.getValue(), name == null ? String.valueOf(e.getKey()) : name + "." + e.getKey(), out);
            return;
        }
        Template t = Template.compile(template);
        if (t instanceof Template.Single s) out.add(variable(name, s.expression(), "any"));
        else if (!t.isConstant()) out.add(new Variable(name, "string", false, null, null, null, Map.of()));
        else out.add(new Variable(name, template instanceof String ? "string" : "any", false, null, null, null, Map.of()));
    }

    private static Variable variable(String name, Expression e, String defaultType) {
        Expression.TypeSpec type = e.type();
        Object def = null;
        if (e.defaultValue() != null) {
            try {
                def = e.defaultValue().render(RenderContext.of(RenderContext.Options.strict(Path.of("."))));
                if (type != null && def != null) def = Conversions.convert(def, type, RenderContext.of(RenderContext.Options.strict(Path.of("."))), e);
            } catch (RuntimeException ignored) {
                // a default that cannot be shown is left out of the schema; it still applies at run time
            }
        }
        return new Variable(name, type == null ? defaultType : type.name(), type != null && type.list(), type == null ? null : type.subtype(),
                type == null ? null : type.format(), def, e.annotations());
    }
}
