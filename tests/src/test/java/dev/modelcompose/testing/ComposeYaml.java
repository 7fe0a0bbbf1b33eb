package dev.modelcompose.testing;

/** Compose files for tests. */
public final class ComposeYaml {
    private ComposeYaml() {}

    /** A real test model's {@code .param} path, for {@code model:}. */
    public static String testModel(String name) {
        return TestAssets.models().resolve(name + ".param").toString();
    }

    /**
     * The workflow and component of the usual test file: one job upscaling {@code ${input.image as image}} x{@code scale}
     * with {@code model}, its output the image. {@code actionKeys} are more keys of the action's flow mapping (e.g.
     * {@code params: {tile_size: 32}}), or empty. Prepend a {@code controller:} block as needed.
     */
    public static String upscaleWorkflow(String model, int scale, String actionKeys) {
        return upscaleWorkflow(null, model, scale, actionKeys);
    }

    /** The same with a workflow {@code title} (the README example's is {@code Upscale Image}), or none if null. */
    public static String upscaleWorkflow(String title, String model, int scale, String actionKeys) {
        String extra = actionKeys.isEmpty() ? "" : ", " + actionKeys;
        String titleLine = title == null ? "" : "\n  title: " + title;
        return """
                workflow:%s
                  job: {input: "${input}", output: "${output as image}"}
                component:
                  type: model
                  task: image-upscale
                  family: real-esrgan
                  model: %s
                  scale: %d
                  action: {image: "${input.image as image}"%s}
                """.formatted(titleLine, model, scale, extra);
    }
}
