package dev.modelcompose.models;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face Hub stand-in on loopback: {@code /{repo}/resolve/{revision}/{file}} answers like
 * the Hub (X-Repo-Commit, ETag / X-Linked-Etag, X-Linked-Size, X-Error-Code), either directly or,
 * for "LFS" files, with a redirect to {@code /cdn/<sha256>} (optionally on a second server, i.e.
 * another host:port). Plain files under {@code /files/...} serve the url provider. GETs honour
 * {@code Range}; {@link #cutNextDownloadsAfter} closes the connection early.
 */
final class FakeHub implements AutoCloseable {
    record Request(String method, String path, String range, String authorization, int port) {}

    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    private final HttpServer server;
    private final HttpServer cdn;
    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, byte[]> repoFiles = new ConcurrentHashMap<>();   // "org/name/file" -> bytes
    private final Map<String, byte[]> plainFiles = new ConcurrentHashMap<>();  // "/files/..." -> bytes
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();       // sha256 -> bytes
    volatile String requiredToken;
    volatile boolean lfsRedirect = true;
    volatile boolean cdnOnOtherHost;
    volatile boolean sendCommit = true;
    volatile String etagOverride;
    private final AtomicInteger cutsLeft = new AtomicInteger();
    private volatile int cutAfter;

    FakeHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        cdn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cdn.createContext("/", this::handle);
        cdn.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int cdnPort() {
        return cdn.getAddress().getPort();
    }

    void addRepoFile(String repo, String file, byte[] content) {
        repoFiles.put(repo + "/" + file, content);
        blobs.put(sha256(content), content);
    }

    void addPlainFile(String path, byte[] content) {
        plainFiles.put(path, content);
    }

    /** The next {@code count} content GETs send only {@code bytes} bytes, then close the connection. */
    void cutNextDownloadsAfter(int count, int bytes) {
        cutAfter = bytes;
        cutsLeft.set(count);
    }

    List<Request> contentGets() {
        return requests.stream().filter(r -> r.method().equals("GET")).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            Headers in = ex.getRequestHeaders();
            requests.add(new Request(ex.getRequestMethod(), path, in.getFirst("Range"), in.getFirst("Authorization"),
                    ex.getLocalAddress().getPort()));
            Headers out = ex.getResponseHeaders();
            if (path.startsWith("/cdn/")) {
                byte[] blob = blobs.get(path.substring(5));
                if (blob == null) error(ex, 404, "EntryNotFound");
                else serve(ex, blob);
                return;
            }
            if (path.startsWith("/files/")) {
                byte[] file = plainFiles.get(path);
                if (file == null) error(ex, 404, null);
                else serve(ex, file);
                return;
            }
            Matcher m = Pattern.compile("/([^/]+/[^/]+)/resolve/([^/]+)/(.+)").matcher(path);
            if (!m.matches()) {
                error(ex, 404, "RepoNotFound");
                return;
            }
            if (requiredToken != null && !("Bearer " + requiredToken).equals(in.getFirst("Authorization"))) {
                error(ex, 401, "RepoNotFound");
                return;
            }
            String repo = m.group(1);
            String revision = java.net.URLDecoder.decode(m.group(2), StandardCharsets.UTF_8);
            if (!revision.equals("main") && !revision.equals(COMMIT)) {
                error(ex, 404, "RevisionNotFound");
                return;
            }
            byte[] content = repoFiles.get(repo + "/" + java.net.URLDecoder.decode(m.group(3), StandardCharsets.UTF_8));
            if (content == null) {
                error(ex, 404, "EntryNotFound");
                return;
            }
            String sha = sha256(content);
            if (sendCommit) out.add("X-Repo-Commit", COMMIT);
            String etag = etagOverride != null ? etagOverride : sha;
            if (lfsRedirect) {
                out.add("X-Linked-Etag", "\"" + etag + "\"");
                out.add("X-Linked-Size", Integer.toString(content.length));
                out.add("ETag", "W/\"not-the-blob\"");
                int port = cdnOnOtherHost ? cdnPort() : server.getAddress().getPort();
                out.add("Location", "http://127.0.0.1:" + port + "/cdn/" + sha);
                ex.sendResponseHeaders(302, -1);
                return;
            }
            out.add("ETag", "\"" + etag + "\"");
            serve(ex, content);
        } catch (IOException expectedWhenCut) {
            // the cut connection
        }
    }

    private void serve(HttpExchange ex, byte[] content) throws IOException {
        Headers out = ex.getResponseHeaders();
        out.add("Accept-Ranges", "bytes");
        if (ex.getRequestMethod().equals("HEAD")) {
            out.add("Content-Length", Integer.toString(content.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        int start = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        int status = 200;
        if (range != null) {
            Matcher r = Pattern.compile("bytes=(\\d+)-").matcher(range);
            if (r.matches()) {
                start = Integer.parseInt(r.group(1));
                if (start >= content.length) {
                    out.add("Content-Range", "bytes */" + content.length);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                status = 206;
                out.add("Content-Range", "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
            }
        }
        int length = content.length - start;
        ex.sendResponseHeaders(status, length);
        OutputStream body = ex.getResponseBody();
        if (cutsLeft.getAndUpdate(c -> Math.max(0, c - 1)) > 0) {
            body.write(content, start, Math.min(cutAfter, length));
            body.flush();
            sleep(200);
            throw new IOException("cut");  // closes the connection before the announced length
        }
        body.write(content, start, length);
    }

    private static void error(HttpExchange ex, int status, String code) throws IOException {
        if (code != null) ex.getResponseHeaders().add("X-Error-Code", code);
        byte[] body = ("{\"error\":\"" + code + "\"}").getBytes(StandardCharsets.UTF_8);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    @Override
    public void close() {
        server.stop(0);
        cdn.stop(0);
    }
}
