package dev.modelcompose.models.pth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises the supported architectures from a state dict's keys and shapes, and lays the weights
 * out on the runner's ncnn graph (docs/esrgan-runner.md §2.1 and §4).
 */
final class PthNetworks {
    private PthNetworks() {}

    /** A network found in a state dict: what it is, and how to write it as ncnn. */
    record Network(PthArchitecture architecture, java.util.function.Consumer<NcnnGraph> emitter) {
        NcnnGraph graph() {
            NcnnGraph g = new NcnnGraph();
            emitter.accept(g);
            return g;
        }
    }

    /** A convolution's tensors; bias may be null. */
    private record Conv(String key, TorchTensor weight, TorchTensor bias) {
        int out() {
            return weight.size()[0];
        }

        int in() {
            return weight.size()[1];
        }

        int kernel() {
            return weight.size()[2];
        }
    }

    /** The families a caller's architecture hint may name. */
    enum Family { ANY, RRDB, SRVGG }

    static Family family(String hint) {
        if (hint == null) return Family.ANY;
        String h = hint.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return switch (h) {
            case "", "auto", "realesrgan" -> Family.ANY;
            case "esrgan", "rrdb", "rrdbnet", "realesrnet", "bsrgan", "realesrganrrdb" -> Family.RRDB;
            case "srvgg", "srvggnet", "srvggcompact", "srvggnetcompact", "compact", "realesrgeneral", "realesranimevideo",
                    "realesranimevideov3", "realesrgeneralx4v3" -> Family.SRVGG;
            default -> throw new PthFormatException("unknown architecture '" + hint + "' for PyTorch weights; known: real-esrgan "
                    + "(RRDBNet or SRVGGNetCompact, detected), esrgan / rrdbnet, srvgg-compact");
        };
    }

    static Network detect(PthCheckpoint ckpt, Map<String, TorchTensor> sd, String hint, Integer expectedScale) {
        String file = ckpt.path().getFileName().toString();
        Family family = family(hint);
        Network net;
        if (sd.containsKey("conv_first.weight") || sd.containsKey("model.0.weight") && sd.containsKey("model.1.sub.0.RDB1.conv1.0.weight")) {
            if (family == Family.SRVGG)
                throw new PthFormatException(file + " holds an RRDB network (ESRGAN / Real-ESRGAN), not SRVGGNetCompact as '" + hint + "' says");
            net = rrdb(ckpt, sd, file, expectedScale);
        } else if (sd.containsKey("body.0.weight")) {
            if (family == Family.RRDB)
                throw new PthFormatException(file + " holds an SRVGGNetCompact network, not an RRDB network as '" + hint + "' says");
            net = srvgg(ckpt, sd, file);
        } else {
            throw new PthFormatException(file + " is not a supported network: expected Real-ESRGAN RRDBNet (conv_first, body.N.rdbK.convJ, ...), "
                    + "original ESRGAN (model.0, model.1.sub.N.RDBK.convJ.0, ...) or SRVGGNetCompact (body.N) keys; found "
                    + abbreviate(sd.keySet()));
        }
        int scale = net.architecture().scale();
        if (expectedScale != null && expectedScale != scale)
            throw new PthFormatException(file + " is a x" + scale + " model (" + net.architecture().describe() + "), but scale "
                    + expectedScale + " was requested");
        return net;
    }

    // ---- RRDBNet / ESRGAN -------------------------------------------------------------------------

    private static final Pattern BASICSR_BLOCK = Pattern.compile("body\\.(\\d+)\\.rdb([123])\\.conv([1-5])\\.(weight|bias)");
    private static final Pattern ESRGAN_BLOCK = Pattern.compile("RRDB_trunk\\.(\\d+)\\.RDB([123])\\.conv([1-5])\\.(weight|bias)");
    private static final Pattern OLD_BLOCK = Pattern.compile("model\\.1\\.sub\\.(\\d+)\\.RDB([123])\\.conv([1-5])\\.0\\.(weight|bias)");
    private static final Pattern OLD_TRUNK_END = Pattern.compile("model\\.1\\.sub\\.(\\d+)\\.(weight|bias)");
    private static final Pattern OLD_TOP = Pattern.compile("model\\.(\\d+)\\.(weight|bias)");
    private static final Pattern NAMED = Pattern.compile("(conv_first|conv_body|trunk_conv|conv_up\\d+|upconv\\d+|conv_hr|HRconv|conv_last)\\.(weight|bias)");

    private static Network rrdb(PthCheckpoint ckpt, Map<String, TorchTensor> sd, String file, Integer expectedScale) {
        String layout;
        if (sd.containsKey("model.0.weight")) layout = "esrgan-old";
        else if (sd.keySet().stream().anyMatch(k -> k.startsWith("RRDB_trunk."))) layout = "esrgan";
        else layout = "real-esrgan";

        // canonical name -> tensor: first, bN.rK.cJ, body, upI (1-based), hr, last
        Map<String, TorchTensor> canon = new HashMap<>();
        Map<String, String> origin = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        TreeMap<Integer, String> oldTop = new TreeMap<>(); // model.N (N >= 2) -> kind
        for (Map.Entry<String, TorchTensor> e : sd.entrySet()) {
            String key = e.getKey();
            String name = null;
            Matcher m;
            if ((m = BASICSR_BLOCK.matcher(key)).matches() && layout.equals("real-esrgan")
                    || (m = ESRGAN_BLOCK.matcher(key)).matches() && layout.equals("esrgan")
                    || (m = OLD_BLOCK.matcher(key)).matches() && layout.equals("esrgan-old")) {
                name = "blk" + m.group(1) + ".r" + m.group(2) + ".c" + m.group(3) + "." + m.group(4);
            } else if (layout.equals("esrgan-old")) {
                if ((m = OLD_TRUNK_END.matcher(key)).matches()) {
                    name = "trunkend" + m.group(1) + "." + m.group(2);
                } else if ((m = OLD_TOP.matcher(key)).matches()) {
                    int index = Integer.parseInt(m.group(1));
                    if (index == 0) name = "first." + m.group(2);
                    else if (index >= 2) {
                        oldTop.put(index, "");
                        name = "top" + index + "." + m.group(2);
                    }
                }
            } else if ((m = NAMED.matcher(key)).matches()) {
                String n = m.group(1);
                boolean basicsr = layout.equals("real-esrgan");
                name = switch (n) {
                    case "conv_first" -> "first";
                    case "conv_body" -> basicsr ? "body" : null;
                    case "trunk_conv" -> basicsr ? null : "body";
                    case "conv_hr" -> basicsr ? "hr" : null;
                    case "HRconv" -> basicsr ? null : "hr";
                    case "conv_last" -> "last";
                    default -> {
                        if (n.startsWith("conv_up") && basicsr) yield "up" + n.substring(7);
                        if (n.startsWith("upconv") && !basicsr) yield "up" + n.substring(6);
                        yield null;
                    }
                };
                if (name != null) name += "." + m.group(2);
            }
            if (name == null) unknown.add(key);
            else {
                canon.put(name, e.getValue());
                origin.put(name, key);
            }
        }
        if (!unknown.isEmpty())
            throw new PthFormatException(file + ": unexpected keys for an RRDB network (" + layout + " layout): " + abbreviate(unknown)
                    + " (variants such as ESRGAN+ or other upsamplers are not supported)");

        // blocks
        TreeSet<Integer> blockIds = new TreeSet<>();
        for (String k : canon.keySet())
            if (k.startsWith("blk")) blockIds.add(Integer.parseInt(k.substring(3, k.indexOf('.'))));
        if (blockIds.isEmpty()) throw new PthFormatException(file + ": RRDB network without any RRDB block");
        int blocks = blockIds.last() + 1;
        if (blockIds.size() != blocks) throw new PthFormatException(file + ": RRDB blocks are not numbered 0.." + (blocks - 1) + ": " + blockIds);

        Conv first = conv(canon, origin, "first", file);
        List<Conv[][]> trunk = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            Conv[][] rdbs = new Conv[3][5];
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 5; c++) rdbs[r][c] = conv(canon, origin, "blk" + b + ".r" + (r + 1) + ".c" + (c + 1), file);
            trunk.add(rdbs);
        }

        Conv body, hr, last;
        List<Conv> ups = new ArrayList<>();
        if (layout.equals("esrgan-old")) {
            canon.keySet().stream().filter(k -> k.startsWith("trunkend")).forEach(k -> {
                int n = Integer.parseInt(k.substring(8, k.indexOf('.')));
                if (n != blocks) throw new PthFormatException(file + ": model.1.sub." + n + " should be the trunk convolution model.1.sub." + blocks);
            });
            body = conv(canon, origin, "trunkend" + blocks, file);
            // model.0 conv, model.1 trunk, then [Upsample, conv, LeakyReLU] per x2, then conv, LeakyReLU, conv
            List<Integer> idx = new ArrayList<>(oldTop.keySet());
            int n = idx.size() - 2;
            List<Integer> expected = new ArrayList<>();
            for (int i = 1; i <= n; i++) expected.add(3 * i);
            expected.add(3 * n + 2);
            expected.add(3 * n + 4);
            if (n < 0 || !idx.equals(expected))
                throw new PthFormatException(file + ": unrecognised original-ESRGAN layout: convolutions at model." + idx
                        + " (expected model.3, model.6, ... for the upsampling, then the two HR convolutions)");
            for (int i = 0; i < n; i++) ups.add(conv(canon, origin, "top" + idx.get(i), file));
            hr = conv(canon, origin, "top" + idx.get(n), file);
            last = conv(canon, origin, "top" + idx.get(n + 1), file);
        } else {
            body = conv(canon, origin, "body", file);
            TreeSet<Integer> upIds = new TreeSet<>();
            for (String k : canon.keySet())
                if (k.startsWith("up")) upIds.add(Integer.parseInt(k.substring(2, k.indexOf('.'))));
            for (int i = 1; i <= upIds.size(); i++) {
                if (!upIds.contains(i)) throw new PthFormatException(file + ": upsampling convolutions are not numbered 1.." + upIds.size() + ": " + upIds);
                ups.add(conv(canon, origin, "up" + i, file));
            }
            hr = conv(canon, origin, "hr", file);
            last = conv(canon, origin, "last", file);
        }

        // shapes
        int nf = first.out(), gc = trunk.get(0)[0][0].out(), channels = last.out(), k = first.kernel();
        for (int b = 0; b < blocks; b++)
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 5; c++) expectShape(trunk.get(b)[r][c], c < 4 ? gc : nf, nf + c * gc, k, file);
        for (Conv c : ups) expectShape(c, nf, nf, k, file);
        expectShape(body, nf, nf, k, file);
        expectShape(hr, nf, nf, k, file);
        expectShape(last, channels, nf, k, file);
        int unshuffle;
        if (first.in() == channels) unshuffle = 1;
        else if (first.in() == channels * 4) unshuffle = 2;
        else if (first.in() == channels * 16) unshuffle = 4;
        else throw new PthFormatException(file + ": the first convolution takes " + first.in() + " channels and the last gives " + channels
                    + "; expected equal counts, or 4x / 16x for a pixel-unshuffle input");
        expectShape(first, nf, first.in(), k, file);

        int[] factors = new int[ups.size()];
        Arrays.fill(factors, 2);
        // The original ESRGAN's x3 models have one x3 upsampling stage, indistinguishable from x2 by the weights.
        if (layout.equals("esrgan-old") && ups.size() == 1 && unshuffle == 1 && expectedScale != null && expectedScale == 3) factors[0] = 3;
        int up = 1;
        for (int f : factors) up *= f;
        if (up % unshuffle != 0)
            throw new PthFormatException(file + ": " + ups.size() + " upsampling stages after a pixel-unshuffle by " + unshuffle + " is not an integer scale");
        int scale = up / unshuffle;
        String name = layout.equals("real-esrgan") ? PthArchitecture.RRDBNET : PthArchitecture.ESRGAN;
        PthArchitecture arch = new PthArchitecture(name, layout, scale, blocks, nf, gc, channels, unshuffle, first.weight().dtype().label());

        return new Network(arch, g -> {
            String x = g.input("data", channels);
            if (unshuffle > 1) x = g.reorg("pixel_unshuffle", x, unshuffle, "data_unshuffled");
            String f0 = g.conv("conv_first", x, "conv_first", weights(ckpt, first), false);
            String t = f0;
            for (int b = 0; b < blocks; b++) {
                String h = t;
                for (int r = 0; r < 3; r++) {
                    String p = "body." + b + ".rdb" + (r + 1);
                    List<String> feats = new ArrayList<>(List.of(h));
                    for (int c = 0; c < 5; c++) {
                        String in = feats.size() == 1 ? h : g.concat(p + ".cat" + (c + 1), feats, p + ".cat" + (c + 1));
                        String out = g.conv(p + ".conv" + (c + 1), in, p + ".conv" + (c + 1), weights(ckpt, trunk.get(b)[r][c]), c < 4);
                        feats.add(out);
                    }
                    h = g.eltwiseSum(p + ".res", feats.get(5), 0.2, h, 1.0, p + ".out");
                }
                t = g.eltwiseSum("body." + b + ".res", h, 0.2, t, 1.0, "body." + b + ".out");
            }
            t = g.conv("conv_body", t, "conv_body", weights(ckpt, body), false);
            t = g.add("trunk_add", f0, t, "trunk");
            for (int i = 0; i < ups.size(); i++) {
                t = g.nearest("upsample" + (i + 1), t, factors[i], "upsample" + (i + 1));
                t = g.conv("conv_up" + (i + 1), t, "conv_up" + (i + 1), weights(ckpt, ups.get(i)), true);
            }
            t = g.conv("conv_hr", t, "conv_hr", weights(ckpt, hr), true);
            g.conv("conv_last", t, "output", weights(ckpt, last), false);
        });
    }

    // ---- SRVGGNetCompact ---------------------------------------------------------------------------

    private static final Pattern SRVGG_KEY = Pattern.compile("body\\.(\\d+)\\.(weight|bias)");

    private static Network srvgg(PthCheckpoint ckpt, Map<String, TorchTensor> sd, String file) {
        TreeMap<Integer, Map<String, TorchTensor>> body = new TreeMap<>();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, TorchTensor> e : sd.entrySet()) {
            Matcher m = SRVGG_KEY.matcher(e.getKey());
            if (m.matches()) body.computeIfAbsent(Integer.parseInt(m.group(1)), i -> new LinkedHashMap<>()).put(m.group(2), e.getValue());
            else unknown.add(e.getKey());
        }
        if (!unknown.isEmpty()) throw new PthFormatException(file + ": unexpected keys for SRVGGNetCompact: " + abbreviate(unknown));
        int lastIndex = body.lastKey();
        if (lastIndex % 2 != 0 || lastIndex < 2)
            throw new PthFormatException(file + ": SRVGGNetCompact should end with a convolution at an even body index, found body." + lastIndex);
        List<Conv> convs = new ArrayList<>();
        List<TorchTensor> slopes = new ArrayList<>();
        for (int i = 0; i <= lastIndex; i++) {
            Map<String, TorchTensor> entry = body.get(i);
            if (i % 2 == 0) {
                if (entry == null || !entry.containsKey("weight") || entry.get("weight").dim() != 4)
                    throw new PthFormatException(file + ": body." + i + " should be a convolution (a 4-D weight)");
                convs.add(new Conv("body." + i, entry.get("weight"), entry.get("bias")));
            } else {
                if (entry == null)
                    throw new PthFormatException(file + ": body." + i + " has no weights: SRVGGNetCompact with a parameter-free activation "
                            + "(relu / leakyrelu) is not supported, only the PReLU variant Real-ESRGAN publishes");
                TorchTensor w = entry.get("weight");
                if (w == null || w.dim() != 1 || entry.containsKey("bias"))
                    throw new PthFormatException(file + ": body." + i + " should be a PReLU (one 1-D weight)");
                slopes.add(w);
            }
        }
        Conv first = convs.get(0), last = convs.get(convs.size() - 1);
        int nf = first.out(), channels = first.in(), k = first.kernel();
        expectShape(first, nf, channels, k, file);
        for (int i = 1; i < convs.size() - 1; i++) expectShape(convs.get(i), nf, nf, k, file);
        for (int i = 0; i < slopes.size(); i++) {
            int n = slopes.get(i).size()[0];
            if (n != nf && n != 1)
                throw new PthFormatException(file + ": PReLU body." + (2 * i + 1) + " has " + n + " slopes for " + nf + " channels");
        }
        int s2 = last.out() / channels;
        int scale = (int) Math.round(Math.sqrt(s2));
        if (last.out() % channels != 0 || scale * scale != s2)
            throw new PthFormatException(file + ": the last convolution gives " + last.out() + " channels, which is not " + channels
                    + "·scale² for an integer scale");
        expectShape(last, last.out(), nf, k, file);
        PthArchitecture arch = new PthArchitecture(PthArchitecture.SRVGG, "srvgg", scale, convs.size() - 2, nf, 0, channels, 1,
                first.weight().dtype().label());

        return new Network(arch, g -> {
            String data = g.input("data", channels);
            String t = data;
            for (int i = 0; i < convs.size() - 1; i++) {
                t = g.conv("body." + 2 * i, t, "body." + 2 * i, weights(ckpt, convs.get(i)), false);
                TorchTensor slope = slopes.get(i);
                t = g.prelu("body." + (2 * i + 1), t, "body." + (2 * i + 1), slope.size()[0], () -> ckpt.floats(slope));
            }
            t = g.conv("body." + lastIndex, t, "body." + lastIndex, weights(ckpt, last), false);
            if (scale == 1) {
                g.add("add_base", t, data, "output");
            } else {
                t = g.pixelShuffle("upsampler", t, scale, "upsampler");
                String base = g.nearest("base", data, scale, "base");
                g.add("add_base", t, base, "output");
            }
        });
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static Conv conv(Map<String, TorchTensor> canon, Map<String, String> origin, String name, String file) {
        TorchTensor w = canon.get(name + ".weight");
        if (w == null) {
            String hint = origin.get(name + ".bias");
            throw new PthFormatException(file + ": missing convolution weight " + (hint != null ? hint.replace(".bias", ".weight") : describeCanonical(name)));
        }
        TorchTensor b = canon.get(name + ".bias");
        Conv c = new Conv(origin.get(name + ".weight"), w, b);
        if (w.dim() != 4 || w.size()[2] != w.size()[3] || w.size()[2] % 2 == 0)
            throw new PthFormatException(file + ": " + c.key() + " has shape " + w.shape() + ", expected [out, in, k, k] with an odd k");
        if (b != null && (b.dim() != 1 || b.size()[0] != w.size()[0]))
            throw new PthFormatException(file + ": " + c.key().replace(".weight", ".bias") + " has shape " + b.shape() + ", expected [" + w.size()[0] + "]");
        return c;
    }

    private static String describeCanonical(String name) {
        return switch (name) {
            case "first" -> "conv_first / model.0";
            case "body" -> "conv_body / trunk_conv";
            case "hr" -> "conv_hr / HRconv";
            case "last" -> "conv_last";
            default -> name.startsWith("trunkend") ? "model.1.sub." + name.substring(8) : name.startsWith("top") ? "model." + name.substring(3) : name;
        };
    }

    private static void expectShape(Conv c, int out, int in, int k, String file) {
        int[] s = c.weight().size();
        if (s[0] != out || s[1] != in || s[2] != k || s[3] != k)
            throw new PthFormatException(file + ": " + c.key() + " has shape " + c.weight().shape() + ", expected [" + out + ", " + in + ", " + k
                    + ", " + k + "] for this architecture");
    }

    private static NcnnGraph.ConvWeights weights(PthCheckpoint ckpt, Conv c) {
        Supplier<float[]> bias = c.bias() == null ? null : () -> ckpt.floats(c.bias());
        return new NcnnGraph.ConvWeights(c.out(), c.in(), c.kernel(), () -> ckpt.floats(c.weight()), bias);
    }

    static String abbreviate(java.util.Collection<String> keys) {
        List<String> list = keys.stream().limit(6).toList();
        return String.join(", ", list) + (keys.size() > 6 ? ", ... (" + keys.size() + " keys)" : "");
    }
}
