package dev.modelcompose.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a {@code multipart/form-data} body (RFC 7578) part by part as it streams in, and refuses anything malformed
 * with a 400 that says what: a missing or empty boundary, a body that never reaches its closing boundary, a part
 * without a {@code Content-Disposition} form-data name, headers beyond a sane size.
 */
final class MultipartReader {
    private static final int MAX_HEADER_BYTES = 16 << 10;
    private static final int MAX_PREAMBLE_BYTES = 64 << 10;
    private static final int BUFFER = 64 << 10;

    /** One part: its form name, file name (null for a plain field) and headers, then its content via {@link #read}. */
    record Part(String name, String filename, Map<String, String> headers) {}

    private final InputStream in;
    private final byte[] delimiter;   // CRLF "--" boundary
    private final byte[] buf;
    private int start, end;           // unread bytes are buf[start, end)
    private boolean eof;
    private boolean inPart;
    private boolean done;
    private int partCount;

    MultipartReader(InputStream in, String contentType) {
        this.in = in;
        String boundary = boundary(contentType);
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.buf = new byte[BUFFER + delimiter.length + 4];
    }

    /** The boundary parameter of the Content-Type. @throws ApiError 400 when it is missing, empty or invalid */
    static String boundary(String contentType) {
        for (String param : contentType.split(";")) {
            String p = param.strip();
            if (!p.toLowerCase(Locale.ROOT).startsWith("boundary=")) continue;
            String b = p.substring("boundary=".length()).strip();
            if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) b = b.substring(1, b.length() - 1);
            if (b.isEmpty()) throw invalid("the multipart boundary is empty");
            if (b.length() > 70) throw invalid("the multipart boundary is longer than 70 characters");
            for (char c : b.toCharArray())
                if (c < 0x20 || c > 0x7E) throw invalid("the multipart boundary has a character that is not allowed");
            return b;
        }
        throw invalid("multipart/form-data without a boundary parameter in the Content-Type");
    }

    static ApiError invalid(String why) {
        return new ApiError(400, "Invalid request body: " + why);
    }

    /** The next part, after skipping what is left of the current one; null after the closing boundary. */
    Part next() throws IOException {
        if (done) return null;
        if (inPart) {
            byte[] skip = new byte[8192];
            while (read(skip, 0, skip.length) >= 0) { /* skip */ }
        }
        if (partCount == 0) skipPreamble();
        else afterDelimiter();
        if (done) return null;
        Map<String, String> headers = headers();
        String disposition = headers.get("content-disposition");
        if (disposition == null)
            throw invalid("part " + (partCount + 1) + " has no Content-Disposition header (each part needs Content-Disposition: form-data; name=\"...\")");
        Map<String, String> params = dispositionParams(disposition, partCount + 1);
        String name = params.get("name");
        if (name == null) throw invalid("part " + (partCount + 1) + " has no name in its Content-Disposition");
        partCount++;
        inPart = true;
        return new Part(name, params.containsKey("filename*") ? params.get("filename*") : params.get("filename"), headers);
    }

    /** Content of the current part; -1 at its end. */
    int read(byte[] b, int off, int len) throws IOException {
        if (!inPart) return -1;
        while (true) {
            fill(delimiter.length);
            // only as far as this call can return, plus the start of a delimiter that may begin at its last byte
            int limit = (int) Math.min(end, (long) start + len + delimiter.length - 1);
            int match = indexOf(delimiter, start, limit);
            if (match == start) {
                start += delimiter.length;
                inPart = false;
                return -1;
            }
            int available = match >= 0 ? match - start : limit - start - (delimiter.length - 1);
            if (match < 0 && eof && limit == end) throw unterminated();
            if (available <= 0) {
                fill(end - start + 1);
                continue;
            }
            int n = Math.min(len, available);
            System.arraycopy(buf, start, b, off, n);
            start += n;
            return n;
        }
    }

    /** The first delimiter may open the body without the CRLF before it; anything before it is a preamble, skipped. */
    private void skipPreamble() throws IOException {
        byte[] first = java.util.Arrays.copyOfRange(delimiter, 2, delimiter.length);
        long skipped = 0;
        while (true) {
            fill(first.length + 2);
            int at = indexOf(first, start, end);
            while (at >= 0 && !(skipped == 0 && at == start || at - start >= 2 && buf[at - 2] == '\r' && buf[at - 1] == '\n'))
                at = indexOf(first, at + 1, end);
            if (at >= 0) {
                start = at + first.length;
                break;
            }
            if (eof) throw invalid("the body has no multipart boundary '" + new String(first, StandardCharsets.ISO_8859_1)
                    + "' (is the boundary in the Content-Type the one the body uses?)");
            int drop = end - start - (first.length + 2);
            if (drop <= 0) {
                fill(end - start + 1);
                continue;
            }
            start += drop;
            skipped += drop;
            if (skipped > MAX_PREAMBLE_BYTES) throw invalid("no multipart boundary in the first " + MAX_PREAMBLE_BYTES + " bytes");
        }
        afterDelimiter();
    }

    /** After a delimiter: "--" closes the body, else optional whitespace and CRLF start a part. */
    private void afterDelimiter() throws IOException {
        fill(2);
        if (end - start >= 2 && buf[start] == '-' && buf[start + 1] == '-') {
            done = true;
            return;
        }
        while (true) {
            fill(2);
            if (end - start < 2) throw unterminated();
            if (buf[start] == '\r' && buf[start + 1] == '\n') {
                start += 2;
                return;
            }
            if (buf[start] == ' ' || buf[start] == '\t') start++;
            else throw invalid("a multipart boundary is followed by something other than a line break or '--'");
        }
    }

    private Map<String, String> headers() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int total = 0;
        while (true) {
            fill(2);
            if (end - start < 2) throw unterminated();
            if (buf[start] == '\r' && buf[start + 1] == '\n') {
                start += 2;
                if (line.size() == 0) return headers;
                header(line.toString(StandardCharsets.UTF_8), headers);
                line.reset();
                continue;
            }
            line.write(buf[start++]);
            if (++total > MAX_HEADER_BYTES) throw invalid("the headers of part " + (partCount + 1) + " are longer than " + MAX_HEADER_BYTES + " bytes");
        }
    }

    private void header(String line, Map<String, String> headers) {
        int colon = line.indexOf(':');
        if (colon <= 0) throw invalid("part " + (partCount + 1) + " has a header line without a name: '" + abbreviate(line) + "'");
        headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
    }

    /** {@code form-data; name="a"; filename="b.png"} (quoted or not; RFC 5987 {@code filename*=UTF-8''...}). */
    private static Map<String, String> dispositionParams(String value, int part) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = value.indexOf(';');
        String type = (i < 0 ? value : value.substring(0, i)).strip().toLowerCase(Locale.ROOT);
        if (!type.equals("form-data")) throw invalid("part " + part + " is '" + abbreviate(type) + "', not form-data");
        while (i >= 0 && i < value.length()) {
            int eq = value.indexOf('=', i + 1);
            if (eq < 0) break;
            String key = value.substring(i + 1, eq).strip().toLowerCase(Locale.ROOT);
            int pos = eq + 1;
            while (pos < value.length() && value.charAt(pos) == ' ') pos++;
            StringBuilder v = new StringBuilder();
            if (pos < value.length() && value.charAt(pos) == '"') {
                pos++;
                while (pos < value.length() && value.charAt(pos) != '"') {
                    char c = value.charAt(pos++);
                    if (c == '\\' && pos < value.length()) c = value.charAt(pos++);
                    v.append(c);
                }
                if (pos >= value.length()) throw invalid("part " + part + " has an unterminated quoted value in its Content-Disposition");
                pos++;
            } else {
                while (pos < value.length() && value.charAt(pos) != ';') v.append(value.charAt(pos++));
            }
            String s = v.toString().strip();
            if (key.equals("filename*")) s = extendedValue(s);
            out.put(key, s);
            i = value.indexOf(';', pos);
        }
        return out;
    }

    /** {@code UTF-8''na%C3%AFve.png}. */
    private static String extendedValue(String s) {
        int q = s.indexOf("''");
        if (q < 0) return s;
        try {
            return java.net.URLDecoder.decode(s.substring(q + 2).replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s.substring(q + 2);
        }
    }

    private ApiError unterminated() {
        return invalid("the multipart body ends before its closing boundary '" + new String(delimiter, 2, delimiter.length - 2,
                StandardCharsets.ISO_8859_1) + "--'");
    }

    /** Makes at least {@code n} bytes available unless the body ends first. */
    private void fill(int n) throws IOException {
        if (end - start >= n || eof) return;
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }
        while (end - start < n && !eof) {
            int r = in.read(buf, end, buf.length - end);
            if (r < 0) eof = true;
            else end += r;
        }
    }

    private int indexOf(byte[] needle, int from, int to) {
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (buf[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
