package dev.modelcompose.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Seeded random mutations of bytes and of ncnn .param text. Deterministic for a given Random. */
final class Mutator {
    private static final int[] INTERESTING_BYTES = {0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0x10, 0x40};
    private static final String[] INTERESTING_NUMBERS = {"0", "-1", "1", "2", "7", "255", "65535", "65536", "2147483647",
        "-2147483648", "4294967296", "99999999999", "1e30", "-1e30", "nan", "inf", "0.5", "abc", "", "3=", "=", ","};

    private Mutator() {}

    /** One to four stacked mutations of {@code input}. */
    static byte[] mutate(byte[] input, Random r) {
        byte[] b = input.clone();
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) b = once(b, r);
        return b;
    }

    private static byte[] once(byte[] b, Random r) {
        if (b.length == 0) return new byte[] {(byte) r.nextInt(256)};
        int at = r.nextInt(b.length);
        switch (r.nextInt(9)) {
            case 0: b[at] ^= (byte) (1 << r.nextInt(8)); return b;
            case 1: b[at] = (byte) INTERESTING_BYTES[r.nextInt(INTERESTING_BYTES.length)]; return b;
            case 2: b[at] = (byte) r.nextInt(256); return b;
            case 3: return Arrays.copyOf(b, at); // truncate
            case 4: { // a 16- or 32-bit field set to an extreme (sizes, lengths, offsets)
                int width = r.nextBoolean() ? 2 : 4;
                if (at + width > b.length) return b;
                int v = r.nextInt(4);
                for (int k = 0; k < width; k++) b[at + k] = (byte) (v == 0 ? 0xFF : v == 1 ? 0 : v == 2 ? (k == 0 ? 0x7F : 0xFF) : (k == 0 ? 0x80 : 0));
                return b;
            }
            case 5: { // delete a range
                int len = Math.min(b.length - at, 1 + r.nextInt(64));
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + len, out, at, b.length - at - len);
                return out;
            }
            case 6: { // duplicate a range
                int len = Math.min(b.length - at, 1 + r.nextInt(256));
                if (b.length + len > 1 << 20) return b;
                ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + len);
                out.write(b, 0, at + len);
                out.write(b, at, len);
                out.write(b, at + len, b.length - at - len);
                return out.toByteArray();
            }
            case 7: { // insert random bytes
                int len = 1 + r.nextInt(16);
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, at);
                for (int k = 0; k < len; k++) out[at + k] = (byte) r.nextInt(256);
                System.arraycopy(b, at, out, at + len, b.length - at);
                return out;
            }
            default: { // copy a range over another place
                int from = r.nextInt(b.length), len = Math.min(Math.min(b.length - from, b.length - at), 1 + r.nextInt(32));
                System.arraycopy(b, from, b, at, len);
                return b;
            }
        }
    }

    /** Token- and line-level mutations of a .param text (then, sometimes, a byte-level one). */
    static byte[] mutateParam(String text, Random r) {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            int li = r.nextInt(lines.size());
            String line = lines.get(li);
            switch (r.nextInt(6)) {
                case 0: lines.remove(li); if (lines.isEmpty()) lines.add(""); break;
                case 1: lines.add(li, line); break;
                case 2: lines.set(li, replaceToken(line, r, INTERESTING_NUMBERS[r.nextInt(INTERESTING_NUMBERS.length)])); break;
                case 3: { // a param value key=value: keep the key, change the value
                    String[] tokens = line.split(" ");
                    int t = r.nextInt(tokens.length);
                    int eq = tokens[t].indexOf('=');
                    if (eq >= 0) tokens[t] = tokens[t].substring(0, eq + 1) + INTERESTING_NUMBERS[r.nextInt(INTERESTING_NUMBERS.length)];
                    else tokens[t] = r.nextInt(40) + "=" + INTERESTING_NUMBERS[r.nextInt(INTERESTING_NUMBERS.length)];
                    lines.set(li, String.join(" ", tokens));
                    break;
                }
                case 4: { // swap two lines
                    int other = r.nextInt(lines.size());
                    lines.set(li, lines.get(other));
                    lines.set(other, line);
                    break;
                }
                default: lines.set(li, replaceToken(line, r, lines.get(r.nextInt(lines.size())).split(" ")[0])); break;
            }
        }
        byte[] bytes = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
        return r.nextInt(4) == 0 ? mutate(bytes, r) : bytes;
    }

    private static String replaceToken(String line, Random r, String replacement) {
        String[] tokens = line.split(" ");
        tokens[r.nextInt(tokens.length)] = replacement;
        return String.join(" ", tokens);
    }
}
