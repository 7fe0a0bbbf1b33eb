package dev.modelcompose.expr;

import dev.modelcompose.imaging.ImageFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetches {@code ;url} inputs: http and https only, at most {@link #MAX_REDIRECTS} redirects, each hop's host checked
 * against {@link InputAccess#privateUrls()}, the body cut off at {@link InputAccess#maxUrlBytes()} and the whole fetch
 * at {@link #TIMEOUT_SECONDS}.
 *
 * <p>DNS rebinding: the client connects moments after the check and resolves the host again through the JVM's address
 * cache ({@code networkaddress.cache.ttl}, 30 s by default whatever the record's TTL), so it gets the addresses that
 * were checked.
 */
public final class UrlInputs {
    static final int MAX_REDIRECTS = 5;
    static final long TIMEOUT_SECONDS = 120;
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(java.time.Duration.ofSeconds(30)).build();

    private UrlInputs() {}

    /** @param forType the conversion, for messages ({@code image;url}) */
    public static ByteSource fetch(String url, InputAccess access, String forType) {
        URI uri = parse(url, forType);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        for (int hop = 0; ; hop++) {
            check(uri, access, forType);
            HttpResponse<byte[]> r = get(uri, access.maxUrlBytes(), deadline, url, forType);
            int status = r.statusCode();
            if (status / 100 == 3 && r.headers().firstValue("location").isPresent()) {
                if (hop == MAX_REDIRECTS)
                    throw new ExpressionException("`" + forType + "`: " + url + " redirects more than " + MAX_REDIRECTS + " times");
                uri = redirect(uri, r.headers().firstValue("location").get(), url, forType);
                continue;
            }
            if (status / 100 != 2) throw new ExpressionException("`" + forType + "`: GET " + url + " answered HTTP " + status);
            String path = uri.getPath();
            String name = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
            // typed by its bytes, like uploads: the remote Content-Type is a claim
            return ByteSource.of(r.body(), ImageFiles.mediaType(r.body()).orElse(null), name.isEmpty() ? null : name);
        }
    }

    /**
     * Refuses a URL that is not http(s) or whose host resolves to a private address (any of its addresses) when those are
     * not allowed.
     *
     * @throws ExpressionException naming the URL, never the addresses it resolved to
     */
    public static void check(String url, InputAccess access, String forType) {
        check(parse(url, forType), access, forType);
    }

    private static URI parse(String url, String forType) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (java.net.URISyntaxException e) {
            throw new ExpressionException("`" + forType + "`: invalid URL '" + url + "'");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https"))
            throw new ExpressionException("`" + forType + "`: only http and https URLs are fetched, got '" + url + "'");
        if (uri.getHost() == null || uri.getHost().isEmpty()) throw new ExpressionException("`" + forType + "`: no host in '" + url + "'");
        return uri;
    }

    private static URI redirect(URI from, String location, String url, String forType) {
        try {
            return parse(from.resolve(new URI(location.strip())).toString(), forType);
        } catch (java.net.URISyntaxException e) {
            throw new ExpressionException("`" + forType + "`: " + url + " redirects to an invalid URL");
        }
    }

    private static void check(URI uri, InputAccess access, String forType) {
        if (access.privateUrls()) return;
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            throw new ExpressionException("`" + forType + "`: cannot resolve the host of " + uri);
        }
        for (InetAddress a : addresses) {
            if (PrivateAddresses.isPrivate(a))
                throw new ExpressionException("`" + forType + "`: " + uri + " leads to a loopback, link-local or private address; "
                        + "this server fetches only public ones (`allow_private_urls: true` in its http-server adapter allows them)");
        }
    }

    private static HttpResponse<byte[]> get(URI uri, long maxBytes, long deadline, String url, String forType) {
        var request = HttpRequest.newBuilder(uri).GET().build();
        var future = HTTP.sendAsync(request, info -> LimitedBody.of(info, maxBytes));
        try {
            return future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new ExpressionException("`" + forType + "`: fetching " + url + " took longer than " + TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ExpressionException("`" + forType + "`: interrupted while fetching " + url, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            for (Throwable t = cause; t != null; t = t.getCause())
                if (t instanceof LimitedBody.TooLarge)
                    throw new ExpressionException("`" + forType + "`: " + url + " is larger than " + maxBytes + " bytes");
            String why = cause instanceof HttpTimeoutException ? "timed out" : cause instanceof IOException && cause.getMessage() != null
                    ? cause.getMessage() : String.valueOf(cause);
            throw new ExpressionException("`" + forType + "`: cannot fetch " + url + ": " + why, cause);
        }
    }
}
