package dev.modelcompose.http;

import dev.modelcompose.compose.ComposeProject;
import dev.modelcompose.compose.ControllerConfig;
import dev.modelcompose.expr.ByteSource;
import dev.modelcompose.expr.Conversions;
import dev.modelcompose.expr.ExpressionException;
import dev.modelcompose.expr.InputAccess;
import dev.modelcompose.expr.InputPaths;
import dev.modelcompose.expr.RenderContext;
import dev.modelcompose.expr.UrlInputs;
import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.runtime.WorkflowSchema;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What a run request may reach, from the {@code http-server} adapter's {@code input_paths} and
 * {@code allow_private_urls}, and the checks that answer a request with a 4xx before its task starts. The task applies
 * the same {@link InputAccess} again when it reads the input.
 */
final class HttpInputs {
    private HttpInputs() {}

    /**
     * The adapter's {@code input_paths} resolve against the compose file's directory ({@code ~/} is the home directory).
     *
     * @param maxRequestBytes the server's request limit; a {@code ;url} body may be as large, up to
     *                        {@link InputAccess#DEFAULT_MAX_URL_BYTES} (it is held in memory)
     */
    static InputAccess access(ControllerConfig.AdapterConfig adapter, ComposeProject project, long maxRequestBytes) {
        Path base = project.files().isEmpty() ? project.workingDir() : project.files().get(0).toAbsolutePath().getParent();
        String home = System.getProperty("user.home");
        List<Path> roots = adapter.inputPaths().stream()
                .map(p -> base.resolve(p.equals("~") || p.startsWith("~/") ? home + p.substring(1) : p).normalize()).toList();
        return InputAccess.network().withPathRoots(roots).withPrivateUrls(adapter.allowPrivateUrls())
                .withMaxUrlBytes(Math.min(maxRequestBytes, InputAccess.DEFAULT_MAX_URL_BYTES));
    }

    /**
     * Refuses a {@code ;path} or {@code ;url} input the access does not allow (400), and an upload, base64 or data: URI
     * for an {@code image} input whose bytes are not an image (415), naming the field.
     */
    static void check(WorkflowSchema schema, Object input, InputAccess access) {
        if (!(input instanceof Map<?, ?> fields)) return;
        for (WorkflowSchema.Variable v : schema.input()) {
            if (v.name() == null) continue;
            Object value = fields.get(v.name());
            for (Object item : v.isList() && value instanceof List<?> list ? list : Collections.singletonList(value))
                check(v, item, access);
        }
    }

    private static void check(WorkflowSchema.Variable v, Object value, InputAccess access) {
        String field = "input." + v.name();
        try {
            if (value instanceof String s && "path".equals(v.format())) InputPaths.resolve(s, null, access, v.type() + ";path");
            if (value instanceof String s && "url".equals(v.format())) UrlInputs.check(s, access, v.type() + ";url");
        } catch (ExpressionException e) {
            throw new ApiError(400, field + ": " + e.getMessage());
        }
        if (!"image".equals(v.type())) return;
        if (value instanceof ByteSource upload && !upload.mediaType().startsWith("image/"))
            throw notAnImage(field, "the upload" + (upload.filename() == null ? "" : " '" + upload.filename() + "'"), "Content-Type");
        String inline = inlineFormat(v, value);
        if (inline != null) {
            byte[] bytes;
            try {
                bytes = Conversions.load((String) value, inline, RenderContext.of(new RenderContext.Options(false, null, access)), v.type()).bytes();
            } catch (ExpressionException e) {
                throw new ApiError(400, field + ": " + e.getMessage());
            }
            if (ImageFiles.mediaType(bytes).isEmpty()) throw notAnImage(field, "the " + inline + " value", "media type");
        }
    }

    /** base64 or data-uri when the string's bytes are decoded in the request (cheap, no I/O), else null. */
    private static String inlineFormat(WorkflowSchema.Variable v, Object value) {
        if (!(value instanceof String s)) return null;
        if ("base64".equals(v.format()) || "data-uri".equals(v.format())) return v.format();
        return v.format() == null && s.startsWith("data:") ? "data-uri" : null;
    }

    private static ApiError notAnImage(String field, String what, String claim) {
        return new ApiError(415, field + ": " + what + " is not an image: its bytes match none of PNG, JPEG, WebP, BMP, GIF, TIFF "
                + "(whatever its " + claim + " says)");
    }
}
