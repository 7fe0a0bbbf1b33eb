package dev.modelcompose.library;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.testing.TestAssets;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM program embeds the library as the README says: the README's Maven coordinates and Java snippet, copied verbatim
 * into a separate project, built offline with Maven against the thin library artifact (classes + linux-x86_64 natives,
 * installed into a fresh local repository) and run on an image with a catalogue model. The project's classpath must not
 * contain the CLI, the server or a logging binding.
 */
class EmbeddingTest {
    private static final Pattern XML = Pattern.compile("<!-- library-coordinates -->\\s*```xml\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern JAVA = Pattern.compile("<!-- library-example -->\\s*```java\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path dir;

    @Test
    void theReadmeSnippetBuildsOfflineAgainstTheThinArtifactAndUpscales() throws Exception {
        Path root = TestAssets.repoRoot();
        String readme = Files.readString(root.resolve("README.md"));
        String dependencies = section(XML, readme, "library-coordinates");
        String example = section(JAVA, readme, "library-example");
        String version = version(root);

        Path core = root.resolve("core/target");
        Path classes = core.resolve("model-compose-core-" + version + ".jar");
        Path natives = core.resolve("model-compose-core-" + version + "-linux-x86_64.jar");
        assertTrue(Files.isRegularFile(classes) && Files.isRegularFile(natives), "build the library first (./mvnw package): " + core);

        // A fresh local repository holds only our artifacts, laid out as `mvn install` lays them out; everything else
        // resolves read-only from the user's repository.
        Path repo = dir.resolve("repo");
        install(repo, "model-compose-parent", version, root.resolve("pom.xml"), null, null);
        install(repo, "model-compose-core", version, root.resolve("core/pom.xml"), classes, null);
        install(repo, "model-compose-core", version, null, natives, "linux-x86_64");

        Path project = Files.createDirectories(dir.resolve("app"));
        Files.writeString(project.resolve("pom.xml"), pom(dependencies));
        Path source = Files.createDirectories(project.resolve("src/main/java")).resolve(className(example) + ".java");
        Files.writeString(source, example);
        maven(project, repo, "-f", project.resolve("pom.xml").toString(), "package", "dependency:build-classpath",
                "-Dmdep.outputFile=" + project.resolve("classpath.txt"));

        String classpath = Files.readString(project.resolve("classpath.txt")).strip();
        for (String unwanted : new String[] {"picocli", "javalin", "jetty", "slf4j-nop", "slf4j-simple", "logback", "model-compose-server",
                "model-compose-cli", "progressbar"})
            assertFalse(classpath.contains(unwanted), unwanted + " on the library's classpath: " + classpath);

        // The catalogue model comes from a cache seeded with the test assets (no download in tests).
        Path cache = dir.resolve("cache");
        Files.createDirectories(cache.resolve("models"));
        for (String ext : new String[] {".param", ".bin"})
            Files.copy(TestAssets.models().resolve("realesr-animevideov3-x4" + ext), cache.resolve("models/realesr-animevideov3-x4" + ext));
        Path in = dir.resolve("in.png"), out = dir.resolve("out.png");
        BufferedImage image = new BufferedImage(40, 28, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 40; x++) image.setRGB(x, y, (x * 6) << 16 | (y * 9) << 8 | 128);
        ImageIO.write(image, "png", in.toFile());
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        run(project, Map.of("MODEL_COMPOSE_CACHE", cache.toString()), javaBin, "-cp",
                project.resolve("target/classes") + java.io.File.pathSeparator + classpath, className(example), in.toString(), out.toString());
        BufferedImage result = ImageIO.read(out.toFile());
        assertEquals(160, result.getWidth());
        assertEquals(112, result.getHeight());
    }

    private static void install(Path repo, String artifact, String version, Path pom, Path jar, String classifier) throws IOException {
        Path at = Files.createDirectories(repo.resolve("dev/modelcompose").resolve(artifact).resolve(version));
        String base = artifact + "-" + version;
        if (pom != null) Files.copy(pom, at.resolve(base + ".pom"));
        if (jar != null) Files.copy(jar, at.resolve(base + (classifier == null ? "" : "-" + classifier) + ".jar"));
    }

    private static String section(Pattern p, String readme, String name) {
        Matcher m = p.matcher(readme);
        assertTrue(m.find(), "README.md has no <!-- " + name + " --> block");
        return m.group(1);
    }

    private static String className(String source) {
        Matcher m = Pattern.compile("public class (\\w+)").matcher(source);
        assertTrue(m.find(), "the example declares no public class");
        return m.group(1);
    }

    private static String version(Path root) throws IOException {
        Matcher m = Pattern.compile("<artifactId>model-compose-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(Files.readString(root.resolve("pom.xml")));
        assertTrue(m.find());
        return m.group(1);
    }

    /** The app's pom: the README's dependencies and the plugin versions the main build already has in the user's repository. */
    private static String pom(String dependencies) {
        return """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId>
                  <artifactId>upscale-app</artifactId>
                  <version>1</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencies>
                """ + dependencies + """
                  </dependencies>
                  <build>
                    <plugins>
                      <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
                      <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
                      <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.5.2</version></plugin>
                      <plugin><artifactId>maven-jar-plugin</artifactId><version>3.4.2</version></plugin>
                      <plugin><artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version></plugin>
                    </plugins>
                  </build>
                </project>
                """;
    }

    private static void maven(Path workDir, Path repo, String... args) throws Exception {
        Path root = TestAssets.repoRoot();
        Path userRepo = Path.of(System.getProperty("user.home"), ".m2", "repository");
        List<String> cmd = new ArrayList<>(List.of(root.resolve("mvnw").toString(), "-o", "-q", "-B", "-Dmaven.repo.local=" + repo,
                "-Dmaven.repo.local.tail=" + userRepo));
        cmd.addAll(List.of(args));
        run(workDir, Map.of(), cmd.toArray(new String[0]));
    }

    private static void run(Path workDir, Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out: " + String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + log);
    }
}
