package dev.modelcompose.models;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Downloads single files from the Hugging Face Hub into the standard hub cache, the layout Python's
 * {@code huggingface_hub} uses, so both share their files:
 *
 * <pre>
 * &lt;cache&gt;/models--ORG--NAME/blobs/&lt;etag&gt;                  the bytes (etag: the LFS SHA-256 or git blob id)
 * &lt;cache&gt;/models--ORG--NAME/blobs/&lt;etag&gt;.incomplete       while downloading (resumed next time)
 * &lt;cache&gt;/models--ORG--NAME/snapshots/&lt;commit&gt;/FILENAME   relative symlink to the blob
 * &lt;cache&gt;/models--ORG--NAME/refs/&lt;revision&gt;              the commit hash the revision (e.g. main) resolved to
 * </pre>
 *
 * {@code <cache>} is the {@code cache_dir} of the model config, else {@code $HF_HUB_CACHE}, else
 * {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}.
 *
 * <p>A file whose {@code refs/<revision>} leads to an existing snapshot file is used without
 * contacting the server (so a branch such as {@code main} is not re-checked for updates; delete the
 * ref, or pin a commit as revision, to move on). With {@code HF_HUB_OFFLINE=1} or
 * {@code local_files_only} only the cache is used.
 */
public final class HuggingFaceHub {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");

    /**
     * One file of a model repository.
     *
     * @param repository     {@code org/name}
     * @param filename       the path inside the repository
     * @param revision       branch, tag or commit; null: {@code main}
     * @param token          access token; null: {@code HF_TOKEN} and friends
     * @param cacheDir       hub cache directory ({@code ~} expanded); null: the standard one
     * @param localFilesOnly use only the cache, as {@code HF_HUB_OFFLINE=1} does
     * @param sha256         expected SHA-256, or null (the Hub's LFS ETag is checked anyway when it is one)
     */
    public record FileRequest(String repository, String filename, String revision, String token, String cacheDir,
                              boolean localFilesOnly, String sha256) {
        public FileRequest(String repository, String filename) {
            this(repository, filename, null, null, null, false, null);
        }

        public String revisionOrMain() {
            return revision == null || revision.isBlank() ? "main" : revision;
        }

        public FileRequest withFilename(String other) {
            return new FileRequest(repository, other, revision, token, cacheDir, localFilesOnly, null);
        }
    }

    private final ModelEnvironment env;
    private final HttpDownloader http;
    private final Consumer<String> log;

    public HuggingFaceHub(ModelEnvironment env, HttpDownloader http, Consumer<String> log) {
        this.env = env;
        this.http = http;
        this.log = log;
    }

    /** {@code models--ORG--NAME}. */
    public static String repoFolderName(String repository) {
        return "models--" + repository.replace("/", "--");
    }

    public Path cacheDir(FileRequest req) {
        return req.cacheDir() != null && !req.cacheDir().isBlank() ? env.expandHome(req.cacheDir()) : env.hfHubCache();
    }

    /** The snapshot file when {@code refs/<revision>} (or the revision as a commit) leads to one, as huggingface_hub's try_to_load_from_cache. */
    public Optional<Path> cached(FileRequest req) {
        validate(req);
        Path repoDir = cacheDir(req).resolve(repoFolderName(req.repository()));
        String revision = req.revisionOrMain();
        String commit = revision;
        Path ref = repoDir.resolve("refs").resolve(revision);
        try {
            if (Files.isRegularFile(ref)) commit = Files.readString(ref).strip();
        } catch (IOException e) {
            return Optional.empty();
        }
        if (commit.isEmpty()) return Optional.empty();
        Path file = repoDir.resolve("snapshots").resolve(commit).resolve(req.filename());
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** The local path of the file, downloading it on a cache miss. */
    public Path download(FileRequest req) {
        validate(req);
        Optional<Path> hit = cached(req);
        if (hit.isPresent()) return hit.get();
        String revision = req.revisionOrMain();
        Path cache = cacheDir(req);
        String what = "'" + req.filename() + "' of Hugging Face repository '" + req.repository() + "' (revision " + revision + ")";
        if (env.hfOffline() || req.localFilesOnly()) {
            throw new ModelFetchException("cannot find " + what + " in the local cache " + cache + " and "
                    + (env.hfOffline() ? "HF_HUB_OFFLINE is set" : "local_files_only is true")
                    + ", so it was not downloaded; run once with network access (unset HF_HUB_OFFLINE) to fetch it");
        }

        String token = req.token() != null && !req.token().isBlank() ? req.token().strip() : env.hfToken();
        Map<String, String> headers = new HashMap<>();
        if (token != null) headers.put("Authorization", "Bearer " + token);
        URI url = resolveUrl(req.repository(), revision, req.filename());

        HttpDownloader.Head head;
        try {
            head = http.head(url, headers);
        } catch (HttpStatusException e) {
            throw explain(e, req, revision, token != null);
        } catch (ModelFetchException e) {
            throw new ModelFetchException("cannot download " + what + ": " + e.getMessage()
                    + "; check the network or HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use only files already cached", e);
        }

        String commit = head.header("X-Repo-Commit").map(String::strip).orElse(null);
        if (commit == null) {
            // Not a Hub answer (e.g. a plain mirror): name the snapshot after the revision, which
            // huggingface_hub's cache lookup finds too (refs/<revision> missing -> snapshots/<revision>).
            commit = revision;
            log.accept("warning: " + url.getHost() + " sent no X-Repo-Commit header; caching " + req.filename() + " under snapshots/" + revision);
        }
        String etag = normalizeEtag(head.header("X-Linked-Etag").or(() -> head.header("ETag")).orElse(null));
        long size = head.header("X-Linked-Size").or(() -> head.location() == null ? head.header("Content-Length") : Optional.empty())
                .map(HuggingFaceHub::parseLong).orElse(-1L);
        String expected = req.sha256() != null && !req.sha256().isBlank() ? req.sha256().strip().toLowerCase(Locale.ROOT)
                : etag != null && SHA256.matcher(etag).matches() ? etag : null;

        // The token is for the Hub only, never for the CDN it redirects to.
        Map<String, String> getHeaders = HttpDownloader.sameOrigin(head.downloadUri(), url) ? headers : Map.of();
        Path repoDir = cache.resolve(repoFolderName(req.repository()));
        Path snapshot = repoDir.resolve("snapshots").resolve(commit).resolve(req.filename());
        try {
            if (!Files.isRegularFile(snapshot)) {
                Path blobs = repoDir.resolve("blobs");
                Path locks = cache.resolve(".locks").resolve(repoFolderName(req.repository()));
                Path blob;
                if (etag != null) {
                    blob = blobs.resolve(etag);
                    if (!Files.isRegularFile(blob)) {
                        log.accept("downloading " + req.filename() + " from " + req.repository() + " into " + cache);
                        http.download(head.downloadUri(), getHeaders, blobs.resolve(etag + ".incomplete"), blob, expected, size, req.filename(),
                                locks.resolve(etag + ".lock"));
                    }
                } else {
                    // No ETag: download under a name derived from the URL, then name the blob by its SHA-256.
                    String key = "url-" + sha256Hex(url.toString() + "@" + commit);
                    Path temp = blobs.resolve(key);
                    log.accept("downloading " + req.filename() + " from " + req.repository() + " into " + cache);
                    http.download(head.downloadUri(), getHeaders, blobs.resolve(key + ".incomplete"), temp, expected, size, req.filename(),
                            locks.resolve(key + ".lock"));
                    blob = blobs.resolve(ModelCache.sha256(temp));
                    moveInto(temp, blob);
                }
                link(blob, snapshot);
            }
            if (!commit.equals(revision)) writeRef(repoDir.resolve("refs").resolve(revision), commit);
        } catch (ModelFetchException e) {
            throw new ModelFetchException("cannot download " + what + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelFetchException("cannot store " + what + " in the Hugging Face cache " + cache + ": " + e, e);
        }
        return snapshot;
    }

    /** {@code {endpoint}/{repository}/resolve/{revision}/{filename}}, each part URL-encoded. */
    public URI resolveUrl(String repository, String revision, String filename) {
        return URI.create(env.hfEndpoint() + "/" + repository + "/resolve/" + encode(revision) + "/" + encodePath(filename));
    }

    private ModelFetchException explain(HttpStatusException e, FileRequest req, String revision, boolean hadToken) {
        String repo = req.repository();
        String code = e.errorCode() == null ? "" : ", " + e.errorCode();
        return switch (e.status()) {
            case 401 -> new HttpStatusException(401, e.uri(), e.errorCode(), hadToken
                    ? "Hugging Face refused the access token for repository '" + repo + "' (HTTP 401" + code + "): check that the token"
                      + " (the model's 'token' or HF_TOKEN) is valid and can read the repository, and that '" + repo + "' exists"
                    : "Hugging Face repository '" + repo + "' needs an access token or does not exist (HTTP 401" + code + "): set HF_TOKEN"
                      + " (or 'token' in the model config) to a token that can read it");
            case 403 -> new HttpStatusException(403, e.uri(), e.errorCode(), "access to Hugging Face repository '" + repo
                    + "' is forbidden (HTTP 403" + code + "): it may be gated or private; accept its terms on the model page and "
                    + (hadToken ? "use a token (HF_TOKEN) of an account that has access" : "set HF_TOKEN to a token of an account that has access"));
            case 404 -> new HttpStatusException(404, e.uri(), e.errorCode(), "'" + req.filename() + "' was not found in Hugging Face repository '"
                    + repo + "' at revision '" + revision + "' (HTTP 404" + code + ", " + HttpDownloader.display(e.uri()) + ")");
            default -> new HttpStatusException(e.status(), e.uri(), e.errorCode(), "cannot download '" + req.filename() + "' of Hugging Face repository '"
                    + repo + "' at revision '" + revision + "': " + e.getMessage());
        };
    }

    private static void validate(FileRequest req) {
        if (req.repository() == null || req.repository().isBlank())
            throw new ModelFetchException("model: a huggingface model needs 'repository' (e.g. ai-forever/Real-ESRGAN)");
        if (!REPO_ID.matcher(req.repository()).matches() || req.repository().contains(".."))
            throw new ModelFetchException("model: '" + req.repository() + "' is not a Hugging Face repository id (expected org/name)");
        if (req.filename() == null || req.filename().isBlank())
            throw new ModelFetchException("model: a huggingface model needs 'filename' (the weights file in " + req.repository()
                    + ", e.g. RealESRGAN_x4.pth); downloading a whole repository is not supported");
        for (String part : req.filename().split("/"))
            if (part.isEmpty() || part.equals("..") || part.equals(".") || part.contains("\\"))
                throw new ModelFetchException("model: filename '" + req.filename() + "' is not a plain path inside the repository");
        String rev = req.revisionOrMain();
        for (String part : rev.split("/"))
            if (part.isEmpty() || part.equals("..") || part.equals("."))
                throw new ModelFetchException("model: revision '" + rev + "' is not valid");
    }

    /** A relative symlink from the snapshot to the blob, as huggingface_hub makes; a copy where links are not allowed. */
    private static void link(Path blob, Path snapshot) throws IOException {
        Files.createDirectories(snapshot.getParent());
        Path relative = snapshot.getParent().toAbsolutePath().normalize().relativize(blob.toAbsolutePath().normalize());
        Path temp = snapshot.resolveSibling(".tmp-" + snapshot.getFileName() + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            Files.createSymbolicLink(temp, relative);
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.copy(blob, temp, StandardCopyOption.REPLACE_EXISTING);
        }
        moveInto(temp, snapshot);
    }

    private static void writeRef(Path ref, String commit) throws IOException {
        if (Files.isRegularFile(ref) && Files.readString(ref).strip().equals(commit)) return;
        Files.createDirectories(ref.getParent());
        Path temp = ref.resolveSibling(".tmp-" + ref.getFileName() + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Files.writeString(temp, commit);
        moveInto(temp, ref);
    }

    private static void moveInto(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Drops a weak-validator prefix and the quotes: {@code W/"abc"} -> {@code abc}. */
    static String normalizeEtag(String etag) {
        if (etag == null) return null;
        String e = etag.strip();
        if (e.startsWith("W/")) e = e.substring(2);
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) e = e.substring(1, e.length() - 1);
        if (e.isEmpty() || e.contains("/") || e.contains("\\") || e.startsWith(".")) return null;  // not usable as a file name
        return e;
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encodePath(String path) {
        StringBuilder b = new StringBuilder();
        for (String part : path.split("/")) {
            if (b.length() > 0) b.append('/');
            b.append(encode(part));
        }
        return b.toString();
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
