package dev.modelcompose.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The huggingface provider against a Hub stand-in on loopback (HF_ENDPOINT injected, not the process environment). */
class HuggingFaceHubTest {
    static final String REPO = "ai-forever/Real-ESRGAN";
    static final String FILE = "RealESRGAN_x4.pth";

    @TempDir
    Path home;

    FakeHub hub;
    byte[] weights;
    final List<DownloadProgress> events = new CopyOnWriteArrayList<>();
    final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
        weights = FakeHub.randomBytes(700_000, 42);
        hub.addRepoFile(REPO, FILE, weights);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    Path cache() {
        return home.resolve(".cache/huggingface/hub");
    }

    Path repoDir() {
        return cache().resolve("models--ai-forever--Real-ESRGAN");
    }

    HuggingFaceHub hf(Map<String, String> extraEnv, int attempts) {
        Map<String, String> env = new HashMap<>(Map.of("HF_ENDPOINT", hub.endpoint() + "/"));
        env.putAll(extraEnv);
        HttpDownloader http = new HttpDownloader().withProgress(events::add).withRetries(attempts, Duration.ofMillis(10))
                .withIdleTimeout(Duration.ofSeconds(20));
        return new HuggingFaceHub(ModelEnvironment.of(env, home), http, log::add);
    }

    HuggingFaceHub hf() {
        return hf(Map.of(), 3);
    }

    static HuggingFaceHub.FileRequest request() {
        return new HuggingFaceHub.FileRequest(REPO, FILE);
    }

    @Test
    void firstDownloadLandsInTheHubCacheLayout() throws IOException {
        Path file = hf().download(request());

        String sha = FakeHub.sha256(weights);
        Path blob = repoDir().resolve("blobs").resolve(sha);
        Path snapshot = repoDir().resolve("snapshots").resolve(FakeHub.COMMIT).resolve(FILE);
        assertEquals(snapshot, file);
        assertArrayEquals(weights, Files.readAllBytes(blob));
        assertTrue(Files.isSymbolicLink(snapshot), "the snapshot file is a symlink to the blob");
        assertEquals(Path.of("../../blobs/" + sha), Files.readSymbolicLink(snapshot));
        assertArrayEquals(weights, Files.readAllBytes(file));
        assertEquals(FakeHub.COMMIT, Files.readString(repoDir().resolve("refs/main")));
        assertEquals(List.of(sha), list(repoDir().resolve("blobs")), "no .incomplete file is left");
        assertProgressMonotonicEndingAt(weights.length);
    }

    @Test
    void nestedFilenameLinksRelativeToItsDirectory() throws IOException {
        hub.addRepoFile(REPO, "sub/dir/model.pth", weights);
        Path file = hf().download(new HuggingFaceHub.FileRequest(REPO, "sub/dir/model.pth"));
        assertEquals(Path.of("../../../../blobs/" + FakeHub.sha256(weights)), Files.readSymbolicLink(file));
        assertArrayEquals(weights, Files.readAllBytes(file));
    }

    @Test
    void cacheHitDoesNotContactTheServer() {
        Path first = hf().download(request());
        int requests = hub.requests.size();
        Path second = hf().download(request());
        assertEquals(first, second);
        assertEquals(requests, hub.requests.size(), "the server was contacted again");
        hub.close();
        assertEquals(first, hf().download(request()), "a cached file needs no server at all");
    }

    @Test
    void aBlobAlreadyThereIsLinkedWithoutDownloading() throws IOException {
        hf().download(request());
        Files.delete(repoDir().resolve("refs/main"));
        Files.delete(repoDir().resolve("snapshots").resolve(FakeHub.COMMIT).resolve(FILE));
        int gets = hub.contentGets().size();
        Path again = hf().download(request());
        assertArrayEquals(weights, Files.readAllBytes(again));
        assertEquals(gets, hub.contentGets().size(), "only the metadata was asked for");
    }

    @Test
    void resumesAfterACutConnectionWithARangeRequest() throws IOException {
        hub.cutNextDownloadsAfter(1, 200_000);
        Path file = hf().download(request());

        assertArrayEquals(weights, Files.readAllBytes(file));
        List<FakeHub.Request> gets = hub.contentGets();
        assertEquals(2, gets.size(), "one cut GET, one resumed GET: " + gets);
        assertNull(gets.get(0).range());
        assertNotNull(gets.get(1).range(), "the second request resumes");
        long from = Long.parseLong(gets.get(1).range().replaceAll("bytes=(\\d+)-", "$1"));
        assertTrue(from > 0 && from <= 200_000, "resumed at " + from);
        assertProgressMonotonicEndingAt(weights.length);
    }

    @Test
    void anInterruptedDownloadLeavesOnlyThePartialFileAndTheNextRunResumesIt() throws IOException {
        hub.cutNextDownloadsAfter(1, 300_000);
        ModelFetchException e = assertThrows(ModelFetchException.class, () -> hf(Map.of(), 1).download(request()));
        assertTrue(e.getMessage().contains("resumed next time"), e.getMessage());

        String sha = FakeHub.sha256(weights);
        assertEquals(List.of(sha + ".incomplete"), list(repoDir().resolve("blobs")));
        assertFalse(Files.exists(repoDir().resolve("snapshots").resolve(FakeHub.COMMIT).resolve(FILE)));
        assertFalse(Files.exists(repoDir().resolve("refs/main")));
        long partial = Files.size(repoDir().resolve("blobs").resolve(sha + ".incomplete"));
        assertTrue(partial > 0, "some bytes were kept");

        events.clear();
        Path file = hf().download(request());
        assertArrayEquals(weights, Files.readAllBytes(file));
        FakeHub.Request last = hub.contentGets().get(hub.contentGets().size() - 1);
        assertEquals("bytes=" + partial + "-", last.range());
        assertEquals(partial, events.get(0).bytesDone(), "progress starts at the bytes already there");
        assertProgressMonotonicEndingAt(weights.length);
    }

    @Test
    void directAnswersWithoutRedirectWorkToo() throws IOException {
        hub.lfsRedirect = false;
        Path file = hf().download(request());
        assertArrayEquals(weights, Files.readAllBytes(file));
        assertTrue(Files.exists(repoDir().resolve("blobs").resolve(FakeHub.sha256(weights))));
    }

    @Test
    void withoutXRepoCommitTheSnapshotIsNamedAfterTheRevision() throws IOException {
        hub.sendCommit = false;
        Path file = hf().download(request());
        assertEquals(repoDir().resolve("snapshots/main").resolve(FILE), file);
        assertFalse(Files.exists(repoDir().resolve("refs/main")));
        int requests = hub.requests.size();
        assertEquals(file, hf().download(request()), "and it is found again");
        assertEquals(requests, hub.requests.size());
    }

    @Test
    void notFoundNamesRepositoryRevisionAndFile() {
        ModelFetchException e = assertThrows(ModelFetchException.class,
                () -> hf().download(new HuggingFaceHub.FileRequest(REPO, "RealESRGAN_x16.pth")));
        assertTrue(e.getMessage().contains("RealESRGAN_x16.pth"), e.getMessage());
        assertTrue(e.getMessage().contains(REPO), e.getMessage());
        assertTrue(e.getMessage().contains("'main'"), e.getMessage());
        assertTrue(e.getMessage().contains("404"), e.getMessage());
        assertFalse(Files.exists(repoDir().resolve("blobs")));
    }

    @Test
    void unauthorizedWithoutTokenAsksForHfToken() {
        hub.requiredToken = "hf_secret";
        ModelFetchException e = assertThrows(ModelFetchException.class, () -> hf().download(request()));
        assertTrue(e.getMessage().contains("HF_TOKEN"), e.getMessage());
        assertTrue(e.getMessage().contains("401"), e.getMessage());
        assertTrue(e instanceof HttpStatusException h && h.status() == 401);
    }

    @Test
    void theTokenFromHfTokenIsSentAsBearerButNotToTheCdn() throws IOException {
        hub.requiredToken = "hf_secret";
        hub.cdnOnOtherHost = true;
        Path file = hf(Map.of("HF_TOKEN", "hf_secret"), 3).download(request());
        assertArrayEquals(weights, Files.readAllBytes(file));
        FakeHub.Request head = hub.requests.get(0);
        assertEquals("HEAD", head.method());
        assertEquals("Bearer hf_secret", head.authorization());
        FakeHub.Request get = hub.contentGets().get(0);
        assertEquals(hub.cdnPort(), get.port());
        assertNull(get.authorization(), "the token must not travel to another host");
    }

    @Test
    void theConfigTokenWinsOverTheEnvironment() {
        hub.requiredToken = "from-config";
        HuggingFaceHub.FileRequest req = new HuggingFaceHub.FileRequest(REPO, FILE, null, "from-config", null, false, null);
        assertNotNull(hf(Map.of("HF_TOKEN", "from-env"), 3).download(req));
        assertEquals("Bearer from-config", hub.requests.get(0).authorization());
    }

    @Test
    void aWrongTokenIsReportedAsRefused() {
        hub.requiredToken = "right";
        ModelFetchException e = assertThrows(ModelFetchException.class, () -> hf(Map.of("HF_TOKEN", "wrong"), 3).download(request()));
        assertTrue(e.getMessage().contains("refused the access token"), e.getMessage());
    }

    @Test
    void checksumMismatchFailsAndLeavesNothingAtTheFinalName() throws IOException {
        HuggingFaceHub.FileRequest req = new HuggingFaceHub.FileRequest(REPO, FILE, null, null, null, false, "00".repeat(32));
        ModelFetchException e = assertThrows(ModelFetchException.class, () -> hf().download(req));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains(FakeHub.sha256(weights)), e.getMessage());
        assertEquals(List.of(), list(repoDir().resolve("blobs")));
        assertFalse(Files.exists(repoDir().resolve("snapshots")));
        assertFalse(Files.exists(repoDir().resolve("refs/main")));
    }

    @Test
    void theLfsEtagIsCheckedAsSha256() throws IOException {
        hub.etagOverride = "ab".repeat(32);
        ModelFetchException e = assertThrows(ModelFetchException.class, () -> hf().download(request()));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertEquals(List.of(), list(repoDir().resolve("blobs")));
    }

    @Test
    void offlineUsesTheCacheAndNamesWhatIsMissing() {
        Path online = hf().download(request());
        hub.close();
        HuggingFaceHub offline = hf(Map.of("HF_HUB_OFFLINE", "1"), 3);
        assertEquals(online, offline.download(request()));

        ModelFetchException e = assertThrows(ModelFetchException.class,
                () -> offline.download(new HuggingFaceHub.FileRequest(REPO, "RealESRGAN_x2.pth")));
        assertTrue(e.getMessage().contains("RealESRGAN_x2.pth"), e.getMessage());
        assertTrue(e.getMessage().contains(REPO), e.getMessage());
        assertTrue(e.getMessage().contains("HF_HUB_OFFLINE"), e.getMessage());
    }

    @Test
    void localFilesOnlyNeverContactsTheServer() {
        HuggingFaceHub.FileRequest req = new HuggingFaceHub.FileRequest(REPO, FILE, null, null, null, true, null);
        ModelFetchException e = assertThrows(ModelFetchException.class, () -> hf().download(req));
        assertTrue(e.getMessage().contains("local_files_only"), e.getMessage());
        assertEquals(0, hub.requests.size());
    }

    @Test
    void cacheDirAndHfHubCacheChooseTheCache() {
        Path viaEnv = hf(Map.of("HF_HUB_CACHE", home.resolve("envcache").toString()), 3).download(request());
        assertTrue(viaEnv.startsWith(home.resolve("envcache/models--ai-forever--Real-ESRGAN")), viaEnv.toString());
        HuggingFaceHub.FileRequest req = new HuggingFaceHub.FileRequest(REPO, FILE, null, null, "~/own", false, null);
        Path viaConfig = hf(Map.of("HF_HUB_CACHE", home.resolve("envcache").toString()), 3).download(req);
        assertTrue(viaConfig.startsWith(home.resolve("own/models--ai-forever--Real-ESRGAN")), viaConfig.toString());
    }

    @Test
    void aPinnedCommitNeedsNoRef() throws IOException {
        HuggingFaceHub.FileRequest req = new HuggingFaceHub.FileRequest(REPO, FILE, FakeHub.COMMIT, null, null, false, null);
        Path file = hf().download(req);
        assertEquals(repoDir().resolve("snapshots").resolve(FakeHub.COMMIT).resolve(FILE), file);
        assertFalse(Files.exists(repoDir().resolve("refs").resolve(FakeHub.COMMIT)));
        assertArrayEquals(weights, Files.readAllBytes(file));
    }

    @Test
    void theServerDownIsAClearNetworkError() {
        hub.close();
        ModelFetchException e = assertThrows(ModelFetchException.class, () -> hf().download(request()));
        assertTrue(e.getMessage().contains("cannot download '" + FILE + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("HF_HUB_OFFLINE"), e.getMessage());
    }

    void assertProgressMonotonicEndingAt(long total) {
        assertFalse(events.isEmpty(), "progress was reported");
        long last = -1;
        for (DownloadProgress p : events) {
            assertTrue(p.bytesDone() >= last, "progress went back: " + events);
            last = p.bytesDone();
        }
        DownloadProgress end = events.get(events.size() - 1);
        assertEquals(total, end.bytesDone());
        assertEquals(total, end.bytesTotal());
        assertEquals(FILE, end.name());
    }

    static List<String> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
