package dev.modelcompose.http;

import dev.modelcompose.expr.ByteSource;
import dev.modelcompose.expr.Conversions;
import dev.modelcompose.expr.ExpressionException;
import dev.modelcompose.expr.InputAccess;
import dev.modelcompose.expr.RenderContext;
import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.imaging.ImageHeader;
import dev.modelcompose.imaging.ImageReadException;
import dev.modelcompose.memory.ImageCosts;
import dev.modelcompose.memory.MemoryBudget;
import dev.modelcompose.memory.Sizes;
import dev.modelcompose.runtime.ComposeRuntime;
import dev.modelcompose.runtime.WorkflowSchema;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Admits a run by memory before anything is decoded: the images a request carries (uploads, base64, data: URIs) are
 * measured from their headers, and the whole run's memory (decode, upscale by the workflow's factor, encode) is
 * reserved from the runtime's budget, which the run then draws on. An output that cannot be one image, or larger than
 * the output format stores, is refused up front (413) with what fits; when other runs hold the memory the answer is
 * 503 with Retry-After.
 */
final class Admission {
    private Admission() {}

    /**
     * @return the reservation to hand to the run, or null when the request carries no image it can measure (inputs
     *     fetched by the run itself are admitted when they are decoded)
     * @throws dev.modelcompose.memory.TooLargeException  never fits
     * @throws dev.modelcompose.memory.MemoryBusyException fits later
     */
    static MemoryBudget.Lease admit(ComposeRuntime runtime, WorkflowSchema schema, Object input, InputAccess access) {
        if (!(input instanceof Map<?, ?> fields)) return null;
        int scale = runtime.upscaleFactor(schema.workflowId());
        ImageFormat format = outputFormat(schema);
        long cost = 0;
        int images = 0;
        long pixels = 0;
        for (WorkflowSchema.Variable v : schema.input()) {
            if (v.name() == null || !"image".equals(v.type())) continue;
            Object value = fields.get(v.name());
            for (Object item : v.isList() && value instanceof List<?> list ? list : Collections.singletonList(value)) {
                ImageHeader h = header(v, item, access);
                if (h == null || h.pixels() > runtime.maxImagePixels()) continue;  // the decoder refuses it in its own words
                ImageCosts.checkOutput(h.width(), h.height(), scale, h.channels(), format);
                cost += ImageCosts.run(h.width(), h.height(), scale);
                pixels += h.pixels();
                images++;
            }
        }
        if (images == 0) return null;
        return runtime.memoryBudget().reserve(cost, (images == 1 ? "an image of " : images + " images of ") + Sizes.megapixels(pixels)
                + " upscaled x" + scale);
    }

    private static ImageHeader header(WorkflowSchema.Variable v, Object value, InputAccess access) {
        try {
            if (value instanceof ByteSource b && b.path() != null) return ImageFiles.header(b.path());
            if (value instanceof ByteSource b) return ImageFiles.header(b.bytes(), b.filename());
            if (value instanceof String s && inline(v, s)) {
                String format = "base64".equals(v.format()) ? "base64" : "data-uri";
                return ImageFiles.header(Conversions.load(s, format, RenderContext.of(new RenderContext.Options(false, null, access)), v.type())
                        .bytes(), v.name());
            }
        } catch (ImageReadException | ExpressionException e) {
            return null;  // the run reports a broken image as its failure (422)
        }
        return null;
    }

    private static boolean inline(WorkflowSchema.Variable v, String s) {
        return "base64".equals(v.format()) || "data-uri".equals(v.format()) || v.format() == null && s.startsWith("data:");
    }

    /** The format the workflow's image output is encoded in: {@code as image/webp} and {@code as image/jpeg} limit its sides. */
    private static ImageFormat outputFormat(WorkflowSchema schema) {
        for (WorkflowSchema.Variable v : schema.output()) {
            if (!"image".equals(v.type()) || v.subtype() == null) continue;
            try {
                ImageFormat f = ImageFormat.parse(v.subtype());
                if (f != ImageFormat.PNG) return f;
            } catch (IllegalArgumentException ignored) {
                // the run reports an unknown format
            }
        }
        return ImageFormat.PNG;
    }
}
