package dev.modelcompose.compose;

import java.util.List;

/**
 * {@code type: model, task: image-upscale} (contract §5).
 *
 * @param family  {@code real-esrgan} or {@code esrgan} ({@code architecture} is an alias)
 * @param model   as written: a String (catalogue name, path, or Hugging Face repository) or a Map with {@code provider}
 * @param scale   the expected upscale factor, or null to take the model's own
 * @param device    {@code auto}, {@code cpu}, {@code -1}, ... as written (a list comma-joined)
 * @param precision Vulkan storage: {@code auto}, {@code fp32} or {@code fp16} (upstream leaves {@code precision} unused for
 *                  these families)
 */
public record ImageUpscaleConfig(String id, String driver, String family, Object model, Integer scale, String device, String precision,
                                 boolean preload,
                                 int maxConcurrentCount, boolean isDefault, String runtime, List<Action> actions) implements ComponentConfig {
    public static final String TASK = "image-upscale";
    public static final List<String> FAMILIES = List.of("real-esrgan", "esrgan");

    public ImageUpscaleConfig {
        actions = List.copyOf(actions);
    }

    @Override
    public String type() {
        return "model";
    }

    /**
     * The upscale action.
     *
     * @param image       template (or list of templates) giving the image(s)
     * @param colorFormat rgb or bgr: the channel order the model expects
     * @param batchSize   a Long or a template string
     * @param output      template with {@code ${result}}, or null
     */
    public record Action(String id, Object image, String colorFormat, Object batchSize, Object output, Params params, boolean isDefault)
            implements ActionConfig {}

    /**
     * {@code params}, with the family's defaults filled in. Each value is a Long (a Double/Boolean for
     * {@code denoise_strength}/{@code half_precision}) or a {@code ${...}} template rendered per run; null = not
     * used by the family.
     *
     * <p>Where a file leaves {@code tile_size} unset the tile is automatic (0), as in {@code upscale}, not upstream's 192:
     * our tiles read real neighbours (the halo, -1 = the model's receptive field), so one large tile is both faster and
     * closer to an untiled result than several small ones. Explicit values keep their meaning.
     */
    public record Params(Object tileSize, Object tilePadSize, Object prePadSize, Object tileBatchSize, Object denoiseStrength,
                         Object halfPrecision) {
        public static Params defaults(String family) {
            return "esrgan".equals(family) ? new Params(0L, 10L, 0L, null, null, false)
                    : new Params(0L, -1L, 15L, 4L, 0.5, false);
        }
    }
}
