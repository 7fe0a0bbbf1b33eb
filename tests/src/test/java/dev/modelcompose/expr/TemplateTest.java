package dev.modelcompose.expr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ${...}} language of contract §2, case by case (the [T]/[V] cases of §7.9-13 included). */
class TemplateTest {
    @TempDir
    Path dir;

    private RenderContext ctx(Object input) {
        return RenderContext.of(RenderContext.Options.strict(dir)).with("input", input);
    }

    private Object render(String template, Object input) {
        return Template.compile(template).render(ctx(input));
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private static BufferedImage image(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (x * 40) << 16 | (y * 30) << 8 | 77);
        return img;
    }

    private static byte[] png(BufferedImage img) throws Exception {
        return ImageFiles.encode(img, ImageFormat.PNG);
    }

    @Test
    void wholeStringsKeepTheirTypeAndEmbeddedOnesUsePythonStr() {
        Map<String, Object> in = map("n", 3L, "b", true, "f", 2.5, "d", map("a", 1L), "l", List.of(1L, 2L), "e", "", "z", null);
        assertEquals(in, render("${input}", in));
        assertEquals(3L, render("${input.n}", in));
        assertEquals("x 3 y", render("x ${input.n} y", in));
        assertEquals("ab", render("a${input.missing}b", in));
        assertEquals("v=True", render("v=${input.b}", in));
        assertEquals("2.5 {'a': 1} [1, 2]", render("${input.f} ${input.d} ${input.l}", in));
        assertEquals("plain text", render("plain text", in));
        assertEquals("${not an expression}", render("${not an expression}", in));
    }

    @Test
    void defaultsApplyOnlyToNull() {
        Map<String, Object> in = map("e", "", "z", null);
        assertEquals("", render("${input.e | d}", in));
        assertEquals("d", render("${input.z | d}", in));
        assertEquals("d", render("${input.missing|d}", in));
        assertEquals("42", render("${input.x | 42}", in));
        assertEquals(42L, render("${input.missing as integer | 42}", in));
        assertEquals("foo ", render("${input.x | foo }", in));
        assertEquals("", render("${input.e | ${input.other}}", in));
        assertEquals("nested", render("${input.x | ${input.y | nested}}", in));
        assertEquals("fallback", render("${input.x | fallback @(description Some text)}", in));
        assertEquals("v", render("${input.a @(description The a value)}", map("a", "v")));
    }

    @Test
    void pathsIndexesSlicesAndProjections() {
        Map<String, Object> in = map("obj", map("a", List.of(map("b", null), map("x", 1L), map("b", "c"))), "list", List.of(10L, 20L, 30L),
                "jobs-x", map("output", "o"));
        assertEquals(Arrays.asList(null, null, "c"), render("${input.obj.a[*].b}", in));
        assertEquals(20L, render("${input.list[1]}", in));
        assertEquals(30L, render("${input.list[-1]}", in));
        assertNull(render("${input.list[7]}", in));
        assertEquals(List.of(20L, 30L), render("${input.list[1:]}", in));
        assertEquals(List.of(10L), render("${input.list[:1]}", in));
        assertNull(render("${input.list.name}", in));
        assertNull(render("${input.obj.a.b}", in));
        assertEquals("o", render("${input.jobs-x.output}", in));
        assertSame(in, render("${input[0]}", in), "an index right after input is ignored");

        RenderContext c = ctx(null).with("result", List.of(10L, 20L, 30L)).with("jobs", map("extract-frames", map("output", List.of(map("image", "f1")))));
        assertEquals(List.of(20L, 30L), Template.compile("${result[1:]}").render(c));
        assertEquals(10L, Template.compile("${result[0]}").render(c));
        assertEquals(List.of("f1"), Template.compile("${jobs.extract-frames.output[*].image}").render(c));
        assertNull(Template.compile("${env.HOME}").render(c), "unknown sources are null");
    }

    @Test
    void scalarConversions() {
        Map<String, Object> in = map("s", "3.14", "i", "42", "f", 3.7, "t", "True", "one", "1", "o", 1L, "no", "hello", "zero", 0L,
                "j", "{\"key\":\"value\"}", "n", "42", "d", map("city", "SF", "unit", "C", "k", "한"), "b", true);
        assertEquals(3.14, render("${input.s as number}", in));
        assertEquals(42L, render("${input.i as integer}", in));
        assertEquals(3L, render("${input.f as integer}", in));
        for (String k : List.of("t", "one", "o", "b")) assertEquals(true, render("${input." + k + " as boolean}", in), k);
        for (String k : List.of("no", "zero")) assertEquals(false, render("${input." + k + " as boolean}", in), k);
        assertEquals(false, render("${input.m as boolean | false}", in));
        assertEquals(map("key", "value"), render("${input.j as json}", in));
        assertEquals(42L, render("${input.n as json}", in));
        assertEquals("{\"city\": \"SF\", \"unit\": \"C\", \"k\": \"한\"}", render("${input.d as text}", in));
        assertEquals("True", render("${input.b as text}", in));
        assertEquals("{'city': 'SF', 'unit': 'C', 'k': '한'}", render("${input.d as markdown}", in));
        assertEquals("3.7", render("${input.f as string}", in));
        ExpressionException bad = assertThrows(ExpressionException.class, () -> render("${input.no as integer}", in));
        assertTrue(bad.getMessage().contains("'hello'"), bad.getMessage());
        assertEquals(List.of(1L, 2L), render("${input.l as list}", map("l", "[1, 2]")));
        assertThrows(ExpressionException.class, () -> render("${input.l as object}", map("l", "[1, 2]")));
    }

    @Test
    void elementWiseConversionsAndObjectProjection() {
        Map<String, Object> in = map("nums", Arrays.asList("1", null, "3"), "people",
                List.of(map("id", 1L, "name", "a", "x", 0L), map("id", 2L, "name", "b")), "one", "5",
                "o", map("a", 1L, "b", map("c", 2L), "z", 9L));
        assertEquals(Arrays.asList(1L, null, 3L), render("${input.nums as integer[]}", in));
        assertEquals(List.of(map("id", 1L, "name", "a"), map("id", 2L, "name", "b")), render("${input.people as object[]/id,name}", in));
        assertEquals(map("a", 1L, "c", 2L), render("${input.o as object/a,b.c}", in));
        ExpressionException e = assertThrows(ExpressionException.class, () -> render("${input.one as integer[]}", in));
        assertTrue(e.getMessage().startsWith("`integer[]` requires a list/tuple or stream input"), e.getMessage());
    }

    @Test
    void imagesNeedImagesOrBytesNotStrings() throws Exception {
        BufferedImage img = image(5, 3);
        assertSame(img, render("${input.image as image}", map("image", img)));
        BufferedImage fromBytes = (BufferedImage) render("${input.image as image}", map("image", png(img)));
        assertEquals(5, fromBytes.getWidth());
        ByteSource upload = ByteSource.of(png(img), "image/png", "in.png");
        assertEquals(3, ((BufferedImage) render("${input.image as image}", map("image", upload))).getHeight());

        ExpressionException e = assertThrows(ExpressionException.class, () -> render("${input.image as image}", map("image", "/home/me/x.png")));
        assertTrue(e.getMessage().startsWith("`image` requires an image or raw image bytes, got str"), e.getMessage());
        for (String t : List.of("video", "file")) {
            ExpressionException m = assertThrows(ExpressionException.class, () -> render("${input.v as " + t + "}", map("v", "x")));
            assertTrue(m.getMessage().startsWith("`" + t + "` requires a file or raw bytes, got str"), m.getMessage());
        }
        assertNull(render("${input.image as image}", map()), "a missing image is null, for the component to report");
    }

    @Test
    void formatsReadStrings() throws Exception {
        BufferedImage img = image(4, 2);
        String b64 = Base64.getEncoder().encodeToString(png(img));
        assertEquals(4, ((BufferedImage) render("${input.v as image;base64}", map("v", b64))).getWidth());
        assertEquals(4, ((BufferedImage) render("${input.v as image;data-uri}", map("v", "data:image/png;base64," + b64))).getWidth());
        Path file = dir.resolve("in.png");
        Files.write(file, png(img));
        assertEquals(2, ((BufferedImage) render("${input.v as image;path}", map("v", file.toString()))).getHeight());
        assertEquals(2, ((BufferedImage) render("${input.v as image;path}", map("v", "in.png"))).getHeight(), "relative to the working dir");
        ByteSource encoded = assertInstanceOf(ByteSource.class, render("${input.v as image/png;path}", map("v", file.toString())));
        assertEquals("image/png", encoded.mediaType());
        assertEquals(4, ImageFiles.read(encoded.bytes(), "x").getWidth());
        assertEquals("hi", render("${input.v as text;base64}", map("v", "aGk=")));
        assertEquals(7L, render("${input.v as integer;data-uri}", map("v", "data:text/plain,7")));
        ExpressionException e = assertThrows(ExpressionException.class, () -> render("${input.v as image;ftp}", map("v", "x")));
        assertEquals("Unknown format: ftp", e.getMessage());
        ExpressionException none = assertThrows(ExpressionException.class, () -> render("${input.v as image;path}", map("v", "nope.png")));
        assertTrue(none.getMessage().contains("no file at 'nope.png'"), none.getMessage());
    }

    @Test
    void leniencyAcceptsDataUrisAnywhereAndLocalPathsOnlyWhenAllowed() throws Exception {
        BufferedImage img = image(6, 6);
        String uri = "data:image/png;base64," + Base64.getEncoder().encodeToString(png(img));
        assertEquals(6, ((BufferedImage) render("${input.image as image}", map("image", uri))).getWidth());
        Path file = dir.resolve("local.png");
        Files.write(file, png(img));
        assertThrows(ExpressionException.class, () -> render("${input.image as image}", map("image", file.toString())));
        RenderContext cli = new RenderContext(new HashMap<>(), new RenderContext.Options(true, dir, InputAccess.local()))
                .with("input", map("image", "local.png"));
        assertEquals(6, ((BufferedImage) Template.compile("${input.image as image}").render(cli)).getWidth());
        ExpressionException missing = assertThrows(ExpressionException.class,
                () -> Template.compile("${input.image as image}").render(cli.with("input", map("image", "gone.png"))));
        assertTrue(missing.getMessage().contains("no file at 'gone.png'"), missing.getMessage());
    }

    @Test
    void base64EncodesImagesAsPng() throws Exception {
        BufferedImage img = image(3, 3);
        String b64 = (String) Template.compile("${output as base64}").render(ctx(null).with("output", img));
        BufferedImage back = ImageFiles.read(Base64.getDecoder().decode(b64), "x");
        assertEquals(3, back.getWidth());
        assertEquals(img.getRGB(2, 1), back.getRGB(2, 1));
        assertEquals("aGk=", render("${input as base64}", "hi"));
        assertArrayEquals(new byte[] {1, 2}, Base64.getDecoder().decode((String) render("${input as base64}", new byte[] {1, 2})));
    }

    @Test
    void mapsAndListsRenderRecursivelyWithSpreads() {
        Object t = Map.of("image", "${input.image}", "list", List.of("${input.n}", "...${input.more}"), "...", "${input.extra}");
        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) Template.compile(t).render(ctx(map("image", "i", "n", 1L, "more", List.of(2L, 3L),
                "extra", map("k", "v"))));
        assertEquals("i", out.get("image"));
        assertEquals(List.of(1L, 2L, 3L), out.get("list"));
        assertEquals("v", out.get("k"));
    }

    @Test
    void parsedOnceRenderedMany() {
        Template t = Template.compile("${input.x as integer | 0}");
        assertEquals(1, t.expressions().size());
        Expression e = t.expressions().get(0);
        assertEquals("input", e.key());
        assertEquals("x", e.pathText());
        assertEquals("integer", e.type().name());
        for (long i = 0; i < 50; i++) assertEquals(i, t.render(ctx(map("x", String.valueOf(i)))));
        assertTrue(Template.compile("${output}").isBare("output"));
        assertTrue(!Template.compile("${output as image}").isBare("output"));
        Expression typed = Template.compile("${input.images as image[]/png;base64}").expressions().get(0);
        assertEquals(new Expression.TypeSpec("image", true, "png", Map.of(), "base64"), typed.type());
    }

    @Test
    void pythonTextMatchesUpstream() {
        assertEquals("1e+20", PythonText.floatRepr(1e20));
        assertEquals("1e-05", PythonText.floatRepr(0.00001));
        assertEquals("0.0001", PythonText.floatRepr(0.0001));
        assertEquals("3.0", PythonText.floatRepr(3.0));
        assertEquals("{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}", PythonText.prettyJson(map("a", List.of(1L, 2L), "b", map())));
        assertEquals("\"it's\"", PythonText.repr("it's"));
    }
}
