package dev.modelcompose.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.ModelLoadException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The url, npm and local providers, ModelProvisioner's map forms, .pth routing and the catalogue's weights sources. */
class UrlAndProvisionerTest {
    @TempDir
    Path home;

    FakeHub hub;
    final List<DownloadProgress> events = new CopyOnWriteArrayList<>();
    final List<Path> converted = new CopyOnWriteArrayList<>();
    final byte[] param = "7767517\n3 3\nInput data 0 1 data\n".getBytes(StandardCharsets.UTF_8);
    final byte[] bin = FakeHub.randomBytes(150_000, 7);

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    ModelEnvironment env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("HF_ENDPOINT", hub.endpoint()));
        env.putAll(extra);
        return ModelEnvironment.of(env, home);
    }

    ModelDownloader downloader(Map<String, String> extra) {
        HttpDownloader http = new HttpDownloader().withRetries(3, Duration.ofMillis(10)).withIdleTimeout(Duration.ofSeconds(20));
        return new ModelDownloader(env(extra), http, s -> {}).withProgress(events::add);
    }

    /** A converter that records the weights and answers with ncnn files it writes next to the home. */
    WeightConverter fakeConverter() {
        return (weights, architecture, scale) -> {
            converted.add(weights);
            try {
                Path dir = Files.createTempDirectory(home, "converted");
                Files.write(dir.resolve("m.param"), param);
                Files.write(dir.resolve("m.bin"), bin);
                return new ModelFiles(dir.resolve("m.param"), dir.resolve("m.bin"));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        };
    }

    ModelProvisioner provisioner(WeightConverter converter) {
        ModelDownloader d = downloader(Map.of());
        ModelResolver resolver = new ModelResolver(ModelCatalog.builtIn(), new ModelCache(home.resolve("mc/models")), s -> {}, d, converter);
        return new ModelProvisioner(resolver, d, converter);
    }

    @Test
    void urlProviderUnpacksATarGzAndReturnsThePathInside() throws IOException {
        hub.addPlainFile("/files/models.tar.gz", tarGz(Map.of("models/x4.param", param, "models/x4.bin", bin, "README", new byte[3])));
        String url = hub.endpoint() + "/files/models.tar.gz";
        UrlModelSource source = downloader(Map.of()).url();
        Path file = source.fetch(url, "models/x4.bin", null);

        Path dir = home.resolve(".cache/model-compose/downloads").resolve(HuggingFaceHub.sha256Hex(url));
        assertEquals(dir.resolve("extracted/models/x4.bin"), file);
        assertArrayEquals(bin, Files.readAllBytes(file));
        assertEquals(List.of(".lock", "extracted"), HuggingFaceHubTest.list(dir), "the archive is gone once unpacked");
        int requests = hub.requests.size();
        assertEquals(file, source.fetch(url, "models/x4.bin", null));
        assertEquals(requests, hub.requests.size(), "a cache hit");

        ModelFetchException e = assertThrows(ModelFetchException.class, () -> source.fetch(url, "models/x2.bin", null));
        assertTrue(e.getMessage().contains("models/x4.param"), e.getMessage());
    }

    @Test
    void provisionerUrlMapWithArchivePathGivesModelFiles() throws IOException {
        hub.addPlainFile("/files/m.zip", zip(Map.of("x4.param", param, "x4.bin", bin)));
        ModelFiles files = provisioner(WeightConverter.UNAVAILABLE).provision(
                Map.of("provider", "url", "url", hub.endpoint() + "/files/m.zip", "path", "x4.param"), "real-esrgan", 4);
        assertArrayEquals(param, Files.readAllBytes(files.param()));
        assertArrayEquals(bin, Files.readAllBytes(files.bin()));
    }

    @Test
    void urlProviderPlainFileWithChecksum() throws IOException {
        byte[] weights = FakeHub.randomBytes(400_000, 3);
        hub.addPlainFile("/files/w.pth", weights);
        String url = hub.endpoint() + "/files/w.pth";
        ModelFiles files = provisioner(fakeConverter()).provision(
                Map.of("provider", "url", "url", url, "sha256", FakeHub.sha256(weights).toUpperCase()), "real-esrgan", 4);
        assertEquals(1, converted.size());
        assertArrayEquals(weights, Files.readAllBytes(converted.get(0)));
        assertTrue(Files.isRegularFile(files.param()));
        DownloadProgress end = events.get(events.size() - 1);
        assertEquals(weights.length, end.bytesDone());
        assertEquals(weights.length, end.bytesTotal());
    }

    @Test
    void urlChecksumMismatchLeavesNoFile() throws IOException {
        hub.addPlainFile("/files/w.pth", FakeHub.randomBytes(1000, 1));
        String url = hub.endpoint() + "/files/w.pth";
        ModelFetchException e = assertThrows(ModelFetchException.class,
                () -> downloader(Map.of()).url().fetch(url, null, "11".repeat(32)));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        Path dir = downloader(Map.of()).url().dirOf(url);
        assertEquals(List.of(".lock"), HuggingFaceHubTest.list(dir));
    }

    @Test
    void urlProviderResumesACutDownload() throws IOException {
        byte[] weights = FakeHub.randomBytes(500_000, 9);
        hub.addPlainFile("/files/w.pth", weights);
        hub.cutNextDownloadsAfter(1, 123_456);
        Path file = downloader(Map.of()).url().fetch(hub.endpoint() + "/files/w.pth", null, FakeHub.sha256(weights));
        assertArrayEquals(weights, Files.readAllBytes(file));
        assertTrue(hub.contentGets().get(1).range().startsWith("bytes="), hub.contentGets().toString());
    }

    @Test
    void huggingFacePthGoesThroughTheConverter() throws IOException {
        byte[] weights = FakeHub.randomBytes(300_000, 5);
        hub.addRepoFile("ai-forever/Real-ESRGAN", "RealESRGAN_x4.pth", weights);
        Map<String, Object> model = Map.of("provider", "huggingface", "repository", "ai-forever/Real-ESRGAN", "filename", "RealESRGAN_x4.pth");
        ModelFiles files = provisioner(fakeConverter()).provision(model, "real-esrgan", 4);
        assertTrue(Files.isRegularFile(files.bin()));
        assertEquals(1, converted.size());
        assertTrue(converted.get(0).endsWith(Path.of("snapshots", FakeHub.COMMIT, "RealESRGAN_x4.pth")), converted.get(0).toString());

        ModelLoadException e = assertThrows(ModelLoadException.class, () -> provisioner(WeightConverter.UNAVAILABLE).provision(model, null, 4));
        assertTrue(e.getMessage().contains("need the converter"), e.getMessage());
    }

    @Test
    void providerIsHuggingFaceWhenRepositoryIsGiven() throws IOException {
        hub.addRepoFile("org/ncnn", "x4.param", param);
        hub.addRepoFile("org/ncnn", "x4.bin", bin);
        ModelFiles files = provisioner(WeightConverter.UNAVAILABLE).provision(Map.of("repository", "org/ncnn", "filename", "x4.param"), null, 4);
        assertArrayEquals(param, Files.readAllBytes(files.param()));
        assertArrayEquals(bin, Files.readAllBytes(files.bin()), "the .bin comes along with the .param");
        assertEquals(files.param().getParent(), files.bin().getParent());
    }

    @Test
    void huggingFaceWithoutFilenameIsExplained() {
        ModelFetchException e = assertThrows(ModelFetchException.class,
                () -> provisioner(WeightConverter.UNAVAILABLE).provision(Map.of("provider", "huggingface", "repository", "org/x"), null, 4));
        assertTrue(e.getMessage().contains("'filename'"), e.getMessage());
    }

    @Test
    void progressListenerPassesThroughTheProvisioner() throws IOException {
        byte[] weights = FakeHub.randomBytes(600_000, 11);
        hub.addPlainFile("/files/p.pth", weights);
        List<DownloadProgress> mine = new ArrayList<>();
        ModelProvisioner p = provisioner(fakeConverter()).withProgress(mine::add);
        p.provision(Map.of("provider", "url", "url", hub.endpoint() + "/files/p.pth"), null, null);
        assertFalse(mine.isEmpty());
        assertEquals(weights.length, mine.get(mine.size() - 1).bytesDone());
        assertTrue(events.isEmpty(), "the old listener is replaced");
    }

    @Test
    void localProviderDownloadsAMissingPathFromUrl() throws IOException {
        hub.addPlainFile("/files/net.param", param);
        hub.addPlainFile("/files/net.bin", bin);
        Path target = home.resolve("models/net.param");
        Map<String, Object> model = Map.of("provider", "local", "path", target.toString(), "url", hub.endpoint() + "/files/net.param");
        ModelFiles files = provisioner(WeightConverter.UNAVAILABLE).provision(model, null, null);
        assertEquals(target, files.param());
        assertArrayEquals(bin, Files.readAllBytes(files.bin()));

        Map<String, Object> bundled = new LinkedHashMap<>(Map.of("url", hub.endpoint() + "/files/pack.tgz", "bundled", "true"));
        hub.addPlainFile("/files/pack.tgz", tarGz(Map.of("a.param", param, "a.bin", bin)));
        ModelFiles fromArchive = provisioner(WeightConverter.UNAVAILABLE).provision(bundled, null, null);
        assertEquals(home.resolve(".cache/models/pack/a.param"), fromArchive.param());

        ModelLoadException missing = assertThrows(ModelLoadException.class,
                () -> provisioner(WeightConverter.UNAVAILABLE).provision(Map.of("path", home.resolve("nope.param").toString()), null, null));
        assertTrue(missing.getMessage().contains("nope.param"), missing.getMessage());
    }

    @Test
    void npmProviderExtractsTheFileAndItsPartner() throws IOException {
        Path tgz = home.resolve("pkg.tgz");
        Files.write(tgz, tarGz(Map.of("package/models/x4.param", param, "package/models/x4.bin", bin, "package/package.json", new byte[2])));
        Path npm = home.resolve("fake-npm");
        Files.writeString(npm, "#!/bin/sh\ncp '" + tgz + "' ./pkg-1.0.0.tgz\necho \"$@\" >> '" + home.resolve("npm-calls") + "'\n");
        Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwxr-xr-x"));
        ModelDownloader d = downloader(Map.of("MODEL_COMPOSE_NPM", npm.toString()));
        ModelProvisioner p = new ModelProvisioner(new ModelResolver(ModelCatalog.builtIn(), new ModelCache(home.resolve("c")), s -> {}, d,
                WeightConverter.UNAVAILABLE), d, WeightConverter.UNAVAILABLE);
        Map<String, Object> model = Map.of("provider", "npm", "package", "pkg", "version", "1.0.0", "path", "models/x4.param",
                "sha256", FakeHub.sha256(param));
        ModelFiles files = p.provision(model, null, null);
        assertArrayEquals(param, Files.readAllBytes(files.param()));
        assertArrayEquals(bin, Files.readAllBytes(files.bin()));
        assertEquals(home.resolve(".cache/model-compose/npm/pkg@1.0.0/models/x4.param"), files.param());
        p.provision(model, null, null);
        assertEquals(List.of("pack pkg@1.0.0 --silent"), Files.readAllLines(home.resolve("npm-calls")), "npm ran once");

        Map<String, Object> wrong = new HashMap<>(model);
        wrong.put("version", "2.0.0");
        wrong.put("sha256", "22".repeat(32));
        ModelFetchException e = assertThrows(ModelFetchException.class, () -> p.provision(wrong, null, null));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertFalse(Files.exists(home.resolve(".cache/model-compose/npm/pkg@2.0.0/models/x4.param")));
    }

    @Test
    void catalogueListsTheWeightsModels() {
        ModelCatalog catalog = ModelCatalog.builtIn();
        CatalogEntry x4 = catalog.find("realesrgan-x4", null).orElseThrow();
        assertEquals("rrdb", x4.architecture());
        assertEquals("RealESRGAN_x4.pth", x4.weights().file());
        assertEquals("realesrgan-x4.param", x4.param().file());
        CatalogEntry.Source hf = x4.sources().get(0);
        assertEquals("huggingface", hf.type());
        assertEquals("ai-forever/Real-ESRGAN", hf.repository());
        assertEquals(8, catalog.find("realesrgan", 8).orElseThrow().scale());
        assertEquals("srvgg-compact", catalog.find("realesr-general-x4v3", null).orElseThrow().architecture());
        CatalogEntry plus = catalog.find("realesrgan-x4plus", null).orElseThrow();
        assertEquals("url", plus.sources().get(0).type());
        assertEquals("npm", plus.sources().get(1).type());
        assertEquals(64, plus.weights().sha256().length());
    }

    @Test
    void catalogueWeightsModelNeedsTheConverterThenIsConvertedIntoTheCache() throws IOException {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> provisioner(WeightConverter.UNAVAILABLE).provision("realesrgan-x2", null, null));
        assertTrue(e.getMessage().contains("converter"), e.getMessage());

        byte[] weights = FakeHub.randomBytes(200_000, 13);
        hub.addRepoFile("ai-forever/Real-ESRGAN", "RealESRGAN_x2.pth", weights);
        ModelFiles files = provisioner(fakeConverter()).provision("realesrgan-x2", null, null);
        assertEquals(home.resolve("mc/models/realesrgan-x2.param"), files.param());
        assertArrayEquals(bin, Files.readAllBytes(files.bin()));
        assertEquals(1, converted.size());
        assertArrayEquals(weights, Files.readAllBytes(converted.get(0)));
        provisioner(fakeConverter()).provision("realesrgan-x2", null, null);
        assertEquals(1, converted.size(), "the converted files are cached");
    }

    @Test
    void environmentDefaultsFollowHuggingfaceHub() throws IOException {
        ModelEnvironment bare = ModelEnvironment.of(Map.of(), home);
        assertEquals("https://huggingface.co", bare.hfEndpoint());
        assertEquals(home.resolve(".cache/huggingface/hub"), bare.hfHubCache());
        assertEquals(Path.of("/x/hub"), bare.with("HF_HOME", "/x").hfHubCache());
        assertEquals(Path.of("/xdg/huggingface/hub"), bare.with("XDG_CACHE_HOME", "/xdg").hfHubCache());
        assertEquals(Path.of("/c"), bare.with("HF_HOME", "/x").with("HF_HUB_CACHE", "/c").hfHubCache());
        assertEquals(home.resolve(".cache/model-compose/downloads"), bare.downloadsDir());
        assertTrue(bare.with("HF_HUB_OFFLINE", "1").hfOffline());
        assertFalse(bare.with("HF_HUB_OFFLINE", "0").hfOffline());
        assertEquals(null, bare.hfToken());
        Files.createDirectories(home.resolve(".cache/huggingface"));
        Files.writeString(home.resolve(".cache/huggingface/token"), "hf_file\n");
        assertEquals("hf_file", bare.hfToken(), "the token huggingface-cli login saved");
        assertEquals("hf_env", bare.with("HF_TOKEN", "hf_env").hfToken());
    }

    @Test
    void aStalledConnectionTimesOutAndKeepsThePartialFile() throws Exception {
        com.sun.net.httpserver.HttpServer stall = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        stall.createContext("/", ex -> {
            ex.sendResponseHeaders(200, 1_000_000);
            ex.getResponseBody().write(new byte[1000]);
            ex.getResponseBody().flush();
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException ignored) {
                // test over
            }
            ex.close();
        });
        stall.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        stall.start();
        try {
            HttpDownloader http = new HttpDownloader().withRetries(1, Duration.ofMillis(1)).withIdleTimeout(Duration.ofMillis(800));
            Path target = home.resolve("dl/file");
            long t0 = System.nanoTime();
            ModelFetchException e = assertThrows(ModelFetchException.class, () -> http.download(
                    java.net.URI.create("http://127.0.0.1:" + stall.getAddress().getPort() + "/f"), Map.of(),
                    home.resolve("dl/file.incomplete"), target, null, -1, "file", null));
            assertTrue((System.nanoTime() - t0) / 1e9 < 8, "gave up in time");
            assertTrue(e.getMessage().contains("no data received"), e.getMessage());
            assertFalse(Files.exists(target));
            assertEquals(1000, Files.size(home.resolve("dl/file.incomplete")));
        } finally {
            stall.stop(0);
        }
    }

    @Test
    void theProvisionerKeepsItsConverterAndDownloaderWhenCopied() {
        ModelProvisioner p = provisioner(WeightConverter.UNAVAILABLE);
        WeightConverter c = fakeConverter();
        assertSame(c, p.withConverter(c).converter);
        assertSame(c, p.withConverter(c).resolver.converter());
    }

    static byte[] tarGz(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GzipCompressorOutputStream(bytes); TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            for (Map.Entry<String, byte[]> f : new java.util.TreeMap<>(files).entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(f.getValue().length);
                tar.putArchiveEntry(e);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    static byte[] zip(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                zip.putArchiveEntry(new ZipArchiveEntry(f.getKey()));
                zip.write(f.getValue());
                zip.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }
}
