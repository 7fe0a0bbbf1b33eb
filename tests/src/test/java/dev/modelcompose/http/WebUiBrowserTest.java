package dev.modelcompose.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.modelcompose.compose.ComposeLoader;
import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.runtime.ComposeRuntime;
import dev.modelcompose.testing.ComposeYaml;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in real headless Chromium (Debian's chromium + chromium-driver, from the test profile of
 * scripts/install-system-deps.sh; skipped without them): upload an image, Run Workflow, wait for the 4x result.
 */
class WebUiBrowserTest {
    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

    @TempDir
    Path dir;

    @Test
    void uploadRunAndSeeTheResultThenAFailure() throws Exception {
        assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(), "chromium and chromedriver are not installed");
        String yaml = """
                controller:
                  type: http-server
                  base_path: /api
                  webui: {driver: gradio}
                """ + ComposeYaml.upscaleWorkflow("Upscale Image", ComposeYaml.testModel("realesr-animevideov3-x4"), 4,
                "params: {tile_size: 32, tile_pad_size: 8}");
        BufferedImage img = new BufferedImage(24, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 24; x++) img.setRGB(x, y, (x * 10) << 16 | (y * 15) << 8 | 80);
        Path input = Files.write(dir.resolve("photo.png"), ImageFiles.encode(img, ImageFormat.PNG));
        Path broken = Files.writeString(dir.resolve("broken.png"), "not an image");
        byte[] png = Files.readAllBytes(input);
        Path truncated = Files.write(dir.resolve("truncated.png"), java.util.Arrays.copyOf(png, png.length / 2));

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + Files.createDirectories(dir.resolve("chrome")));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort().build();
        try (ComposeRuntime runtime = ComposeRuntime.create(ComposeLoader.loadString(yaml, "model-compose.yml", dir, Map.of()),
                LoopbackServer.offlineOptions());
             ComposeServer server = new ComposeServer(runtime, ComposeServer.Settings.defaults()).start(0, 0)) {
            ChromeDriver driver = new ChromeDriver(service, options);
            try {
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
                driver.get("http://127.0.0.1:" + server.webuiPort() + "/");
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("wf-title"), "Upscale Image"));
                WebElement file = driver.findElement(By.cssSelector("input[type=file][name=image]"));
                file.sendKeys(input.toString());
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".drop"), "photo.png"));
                driver.findElement(By.id("run")).click();
                WebElement after = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#outputs img.after")));
                wait.until(d -> ((Number) ((JavascriptExecutor) d).executeScript("return arguments[0].naturalWidth", after)).intValue() > 0);
                JavascriptExecutor js = driver;
                assertEquals(96L, ((Number) js.executeScript("return arguments[0].naturalWidth", after)).longValue());
                assertEquals(64L, ((Number) js.executeScript("return arguments[0].naturalHeight", after)).longValue());
                assertTrue(driver.findElements(By.cssSelector("#outputs img.before")).size() == 1, "before/after comparison");
                WebElement download = driver.findElement(By.cssSelector("#outputs a.download"));
                assertEquals("photo-upscaled.png", download.getAttribute("download"));
                assertTrue(wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".result-size"), "96 × 64")));

                // an upload that is no image is refused, with the reason on the page
                driver.findElement(By.cssSelector("input[type=file][name=image]")).sendKeys(broken.toString());
                driver.findElement(By.id("run")).click();
                WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
                assertTrue(error.getText().startsWith("The server refused the run: input.image: the upload 'broken.png' is not an image"),
                        error.getText());

                // a PNG cut short passes the door and fails in the run, which the page reports
                driver.findElement(By.cssSelector("input[type=file][name=image]")).sendKeys(truncated.toString());
                driver.findElement(By.id("run")).click();
                assertTrue(wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("error"), "The run failed: ")),
                        driver.findElement(By.id("error")).getText());
            } finally {
                driver.quit();
            }
        }
    }

    /** A result over inline_output_limit is not in the polled state: the page shows it from output_url. */
    @Test
    void aResultTooLargeToInlineIsShownFromItsLink() throws Exception {
        assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(), "chromium and chromedriver are not installed");
        String yaml = """
                controller:
                  type: http-server
                  base_path: /api
                  inline_output_limit: 0
                  webui: {driver: gradio}
                """ + ComposeYaml.upscaleWorkflow("Upscale Image", ComposeYaml.testModel("realesr-animevideov3-x4"), 4,
                "params: {tile_size: 32, tile_pad_size: 8}");
        BufferedImage img = new BufferedImage(20, 12, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 12; y++) for (int x = 0; x < 20; x++) img.setRGB(x, y, (x * 12) << 16 | (y * 20) << 8 | 40);
        Path input = Files.write(dir.resolve("wide.png"), ImageFiles.encode(img, ImageFormat.PNG));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + Files.createDirectories(dir.resolve("chrome2")));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort().build();
        try (ComposeRuntime runtime = ComposeRuntime.create(ComposeLoader.loadString(yaml, "model-compose.yml", dir, Map.of()),
                LoopbackServer.offlineOptions());
             ComposeServer server = new ComposeServer(runtime, ComposeServer.Settings.defaults()).start(0, 0)) {
            ChromeDriver driver = new ChromeDriver(service, options);
            try {
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
                driver.get("http://127.0.0.1:" + server.webuiPort() + "/");
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("wf-title"), "Upscale Image"));
                driver.findElement(By.cssSelector("input[type=file][name=image]")).sendKeys(input.toString());
                driver.findElement(By.id("run")).click();
                WebElement after = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#outputs img.after")));
                wait.until(d -> ((Number) ((JavascriptExecutor) d).executeScript("return arguments[0].naturalWidth", after)).intValue() > 0);
                assertEquals(80L, ((Number) driver.executeScript("return arguments[0].naturalWidth", after)).longValue());
                assertTrue(after.getAttribute("src").endsWith("?output_only=true"), after.getAttribute("src"));
                assertTrue(driver.findElement(By.cssSelector("#outputs a.download")).getAttribute("href").endsWith("?output_only=true"));
            } finally {
                driver.quit();
            }
        }
    }
}
