#!/usr/bin/python3
"""PyTorch reference for ncnn Real-ESRGAN models (.param + .bin).

Parses the ncnn files as described in shared/docs/esrgan-runner.md (sections 1-3), detects the
architecture (RRDBNet with N blocks, or SRVGGNetCompact with N body convs and an optional final
bicubic Interp for the x2/x3 animevideov3 files), builds the equivalent torch.nn.Module with the
file's weights and runs it in fp32 on the CPU.

Run with Debian's interpreter (/usr/bin/python3; needs python3-torch, python3-numpy, and
optionally python3-pil):

  forward  --param P --bin B --input in.png --output out.png [--pre-pad 10] [--bf16]
           Whole-image forward (no tiling): reflect-101 pre-pad, network, crop pad*scale,
           floor(clamp(v,0,1)*255+0.5), 8-bit RGB PNG. --bf16: under bf16 autocast (channels_last).
  bench    --param P --bin B [--size 128] [--threads 2] [--repeat 3] [--channels-last] [--bf16]
           Times the forward pass; prints `TORCH_SECONDS <best>` plus `# ...` info lines.
           --bf16 runs under torch.autocast("cpu", dtype=torch.bfloat16) (oneDNN's bf16 kernels: AVX512-BF16 or AMX).
  compare  --ref official.png --test ours.png
           Parity statistics (fraction of channel values within +-1/+-2), leaving out values the
           official binary wrote as 255 where ours is < 128 (its negative-wraps-to-255 bug).
  check    --param P --bin B [--size 24]
           Cross-checks the built module against a generic op-by-op interpretation of the graph.
"""

import argparse
import os
import struct
import sys
import time
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ----------------------------------------------------------------------------------------------
# ncnn .param / .bin parsing
# ----------------------------------------------------------------------------------------------

PARAM_MAGIC = 7767517


def _num(tok):
    """ncnn rule: a value is float iff its text contains '.', 'e' or 'E'."""
    if any(c in tok for c in ".eE"):
        return float(tok)
    return int(tok)


class Layer:
    __slots__ = ("type", "name", "bottoms", "tops", "params", "weights")

    def __init__(self, type_, name, bottoms, tops, params):
        self.type = type_
        self.name = name
        self.bottoms = bottoms
        self.tops = tops
        self.params = params
        self.weights = {}

    def p(self, key, default):
        return self.params.get(key, default)

    def __repr__(self):
        return f"{self.type}({self.name})"


def parse_param(path):
    with open(path, "r", encoding="utf-8") as f:
        lines = [ln for ln in f.read().splitlines() if ln.strip()]
    if int(lines[0].split()[0]) != PARAM_MAGIC:
        raise ValueError(f"{path}: bad magic (param is too old or not an ncnn .param)")
    layer_count, blob_count = (int(t) for t in lines[1].split()[:2])
    layers = []
    for ln in lines[2:2 + layer_count]:
        tok = ln.split()
        type_, name, n_in, n_out = tok[0], tok[1], int(tok[2]), int(tok[3])
        bottoms = tok[4:4 + n_in]
        tops = tok[4 + n_in:4 + n_in + n_out]
        params = {}
        for kv in tok[4 + n_in + n_out:]:
            k, v = kv.split("=", 1)
            k = int(k)
            if k <= -23300:
                vals = v.split(",")
                n = int(vals[0])
                params[-k - 23300] = [_num(x) for x in vals[1:1 + n]]
            elif "," in v:  # newer ncnn: array without the negative key
                params[k] = [_num(x) for x in v.split(",")]
            else:
                params[k] = _num(v)
        layers.append(Layer(type_, name, bottoms, tops, params))
    if len(layers) != layer_count:
        raise ValueError(f"{path}: expected {layer_count} layers, found {len(layers)}")
    if sum(len(l.tops) for l in layers) != blob_count:
        print(f"# warning: sum(n_out) != blob_count ({blob_count})", file=sys.stderr)
    return layers


TAG_FP16 = 0x01306B47
TAG_INT8 = 0x000D4B38
TAG_FP32_SCALED = 0x0002C056
TAG_FP32 = 0x00000000
TAG_BF16 = 0x01348B83


def _align4(n):
    return (n + 3) & ~3


class BinReader:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = f.read()
        self.off = 0
        self.tags = {}

    def _take(self, nbytes):
        if self.off + nbytes > len(self.data):
            raise ValueError(f".bin truncated at offset {self.off} (+{nbytes})")
        b = self.data[self.off:self.off + nbytes]
        self.off += nbytes
        return b

    def raw_f32(self, n):
        """ncnn type-1 load: n fp32, no tag (bias, PReLU slope)."""
        return np.frombuffer(self._take(4 * n), dtype="<f4").astype(np.float32)

    def tagged(self, n):
        """ncnn type-0 load: a 4-byte tag selects the storage."""
        tag = struct.unpack("<I", self._take(4))[0]
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == TAG_FP16:
            return np.frombuffer(self._take(_align4(2 * n))[:2 * n], dtype="<f2").astype(np.float32)
        if tag in (TAG_FP32, TAG_FP32_SCALED):
            return np.frombuffer(self._take(4 * n), dtype="<f4").astype(np.float32)
        if tag == TAG_BF16:  # unverified (see doc 1.2)
            u16 = np.frombuffer(self._take(_align4(2 * n))[:2 * n], dtype="<u2").astype(np.uint32)
            return (u16 << 16).view(np.float32)
        if tag == TAG_INT8:
            raise ValueError("int8-quantised weights are not supported")
        raise ValueError(f"unknown weight tag 0x{tag:08x} at offset {self.off - 4}")


def load_model(param_path, bin_path):
    layers = parse_param(param_path)
    r = BinReader(bin_path)
    for l in layers:
        if l.type == "Convolution":
            if l.p(8, 0) != 0:
                raise ValueError(f"{l}: int8_scale_term not supported")
            if l.p(19, 0) != 0:
                raise ValueError(f"{l}: dynamic_weight not supported")
            nout = l.p(0, 0)
            kw = l.p(1, 0)
            kh = l.p(11, kw)
            wsize = l.p(6, 0)
            nin = wsize // (nout * kw * kh)
            if nin * nout * kw * kh != wsize:
                raise ValueError(f"{l}: weight_data_size {wsize} not divisible")
            l.weights["weight"] = r.tagged(wsize).reshape(nout, nin, kh, kw)
            if l.p(5, 0):
                l.weights["bias"] = r.raw_f32(nout)
        elif l.type == "PReLU":
            l.weights["slope"] = r.raw_f32(l.p(0, 0))
        elif l.type not in ("Input", "Split", "Concat", "Eltwise", "BinaryOp", "Interp",
                            "PixelShuffle", "Reorg"):
            raise ValueError(f"unsupported layer type {l.type} ({l.name})")
    if r.off != len(r.data):
        raise ValueError(f".bin size mismatch: consumed {r.off} of {len(r.data)} bytes")
    return layers, r.tags


# ----------------------------------------------------------------------------------------------
# torch modules
# ----------------------------------------------------------------------------------------------


class ResidualDenseBlock(nn.Module):
    def __init__(self, nf=64, gc=32):
        super().__init__()
        self.conv1 = nn.Conv2d(nf, gc, 3, 1, 1)
        self.conv2 = nn.Conv2d(nf + gc, gc, 3, 1, 1)
        self.conv3 = nn.Conv2d(nf + 2 * gc, gc, 3, 1, 1)
        self.conv4 = nn.Conv2d(nf + 3 * gc, gc, 3, 1, 1)
        self.conv5 = nn.Conv2d(nf + 4 * gc, nf, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(0.2, inplace=True)

    def forward(self, x):
        x1 = self.lrelu(self.conv1(x))
        x2 = self.lrelu(self.conv2(torch.cat((x, x1), 1)))
        x3 = self.lrelu(self.conv3(torch.cat((x, x1, x2), 1)))
        x4 = self.lrelu(self.conv4(torch.cat((x, x1, x2, x3), 1)))
        x5 = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
        return x5 * 0.2 + x


class RRDB(nn.Module):
    def __init__(self, nf=64, gc=32):
        super().__init__()
        self.rdb1 = ResidualDenseBlock(nf, gc)
        self.rdb2 = ResidualDenseBlock(nf, gc)
        self.rdb3 = ResidualDenseBlock(nf, gc)

    def forward(self, x):
        return self.rdb3(self.rdb2(self.rdb1(x))) * 0.2 + x


class RRDBNet(nn.Module):
    """x4 RRDBNet (ESRGAN / Real-ESRGAN x4plus layout)."""

    def __init__(self, num_block=23, nf=64, gc=32, in_ch=3, out_ch=3):
        super().__init__()
        self.scale = 4
        self.conv_first = nn.Conv2d(in_ch, nf, 3, 1, 1)
        self.body = nn.Sequential(*[RRDB(nf, gc) for _ in range(num_block)])
        self.conv_body = nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_up1 = nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_up2 = nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_hr = nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_last = nn.Conv2d(nf, out_ch, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(0.2, inplace=True)

    def forward(self, x):
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        feat = self.lrelu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")))
        feat = self.lrelu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")))
        return self.conv_last(self.lrelu(self.conv_hr(feat)))

    def convs_in_ncnn_order(self):
        out = [self.conv_first]
        for blk in self.body:
            for rdb in (blk.rdb1, blk.rdb2, blk.rdb3):
                out += [rdb.conv1, rdb.conv2, rdb.conv3, rdb.conv4, rdb.conv5]
        return out + [self.conv_body, self.conv_up1, self.conv_up2, self.conv_hr, self.conv_last]


class SRVGGNetCompact(nn.Module):
    """realesr-animevideov3 / realesr-general-x4v3 layout (PReLU), plus the optional final
    bicubic resize that the ncnn x2/x3 animevideov3 files append to the x4 network."""

    def __init__(self, num_conv=16, nf=64, upscale=4, in_ch=3, out_ch=3, out_resize=None):
        super().__init__()
        self.upscale = upscale
        self.out_resize = out_resize  # (resize_type, height_scale, width_scale) or None
        self.scale = upscale * (out_resize[1] if out_resize else 1.0)
        body = [nn.Conv2d(in_ch, nf, 3, 1, 1), nn.PReLU(nf)]
        for _ in range(num_conv):
            body += [nn.Conv2d(nf, nf, 3, 1, 1), nn.PReLU(nf)]
        body.append(nn.Conv2d(nf, out_ch * upscale * upscale, 3, 1, 1))
        self.body = nn.Sequential(*body)
        self.upsampler = nn.PixelShuffle(upscale)

    def forward(self, x):
        out = self.upsampler(self.body(x))
        out = out + F.interpolate(x, scale_factor=self.upscale, mode="nearest")
        if self.out_resize is not None:
            rtype, hs, ws = self.out_resize
            size = (int(out.shape[2] * hs), int(out.shape[3] * ws))
            mode = {1: "nearest", 2: "bilinear", 3: "bicubic"}[rtype]
            kw = {} if mode == "nearest" else {"align_corners": False}
            out = F.interpolate(out, size=size, mode=mode, **kw)
        return out


def _count(layers, t):
    return sum(1 for l in layers if l.type == t)


def build_module(layers):
    """Detect the architecture from the ncnn graph and build a torch module with its weights."""
    convs = [l for l in layers if l.type == "Convolution"]
    for c in convs:
        kw = c.p(1, 0)
        if (kw, c.p(11, kw), c.p(3, 1), c.p(13, c.p(3, 1)), c.p(2, 1), c.p(4, 0),
                c.p(15, c.p(4, 0)), c.p(14, c.p(4, 0)), c.p(16, c.p(14, c.p(4, 0)))) != \
                (3, 3, 1, 1, 1, 1, 1, 1, 1) or not c.p(5, 0):
            raise ValueError(f"{c}: only 3x3/stride 1/pad 1/bias convs are supported")

    if _count(layers, "PReLU") and _count(layers, "PixelShuffle") == 1:
        ps = next(l for l in layers if l.type == "PixelShuffle")
        if ps.p(1, 0) != 0:
            raise ValueError("PixelShuffle mode 1 not supported")
        interps = [l for l in layers if l.type == "Interp"]
        out_resize = None
        out_blob = output_blob(layers)
        for it in interps:
            if out_blob in it.tops:
                out_resize = (it.p(0, 0), float(it.p(1, 1.0)), float(it.p(2, 1.0)))
        nf = convs[0].weights["weight"].shape[0]
        in_ch = convs[0].weights["weight"].shape[1]
        r = ps.p(0, 1)
        out_ch = convs[-1].weights["weight"].shape[0] // (r * r)
        m = SRVGGNetCompact(num_conv=len(convs) - 2, nf=nf, upscale=r, in_ch=in_ch, out_ch=out_ch,
                            out_resize=out_resize)
        tconvs = [x for x in m.body if isinstance(x, nn.Conv2d)]
        tprelus = [x for x in m.body if isinstance(x, nn.PReLU)]
        prelus = [l for l in layers if l.type == "PReLU"]
        if len(prelus) != len(tprelus):
            raise ValueError(f"expected {len(tprelus)} PReLU layers, found {len(prelus)}")
        for tp, l in zip(tprelus, prelus):
            s = l.weights["slope"]
            if s.size == 1:
                s = np.repeat(s, tp.weight.numel())
            tp.weight.data.copy_(torch.from_numpy(s.copy()))
        arch = f"SRVGGNetCompact(num_conv={len(convs) - 2}, nf={nf}, upscale={r}" + \
            (f", out_resize=type{out_resize[0]}x{out_resize[1]:g}" if out_resize else "") + ")"
    elif _count(layers, "Eltwise") and _count(layers, "Concat"):
        nblk, rem = divmod(len(convs) - 6, 15)
        if rem or _count(layers, "Eltwise") != 4 * nblk:
            raise ValueError(f"{len(convs)} convs do not fit an x4 RRDBNet")
        nf = convs[0].weights["weight"].shape[0]
        gc = convs[1].weights["weight"].shape[0]
        m = RRDBNet(num_block=nblk, nf=nf, gc=gc, in_ch=convs[0].weights["weight"].shape[1],
                    out_ch=convs[-1].weights["weight"].shape[0])
        tconvs = m.convs_in_ncnn_order()
        for l in layers:
            if l.type == "Eltwise" and (l.p(0, 1) != 1 or [float(c) for c in l.p(1, [])] != [0.2, 1.0]):
                raise ValueError(f"{l}: unexpected Eltwise {l.params}")
        arch = f"RRDBNet(num_block={nblk}, nf={nf}, gc={gc}, x4)"
    else:
        raise ValueError("unrecognised architecture (neither RRDBNet nor SRVGGNetCompact)")

    if len(tconvs) != len(convs):
        raise ValueError(f"conv count mismatch: module {len(tconvs)}, file {len(convs)}")
    for tc, l in zip(tconvs, convs):
        w = l.weights["weight"]
        if tuple(tc.weight.shape) != w.shape:
            raise ValueError(f"{l}: weight shape {w.shape} != expected {tuple(tc.weight.shape)}")
        tc.weight.data.copy_(torch.from_numpy(w.copy()))
        tc.bias.data.copy_(torch.from_numpy(l.weights["bias"].copy()))
    # Activation placement check: ncnn fuses LeakyReLU(0.2) into the conv (9=2).
    acts = [l.p(9, 0) for l in convs]
    if isinstance(m, RRDBNet):
        exp = [0] + [2, 2, 2, 2, 0] * (3 * (len(m.body))) + [0, 2, 2, 2, 0]
    else:
        exp = [0] * len(convs)
    if acts != exp:
        raise ValueError(f"fused activation pattern differs from {arch}")
    m.eval()
    m.arch = arch
    return m


def output_blob(layers):
    produced = [t for l in layers for t in l.tops]
    consumed = {b for l in layers for b in l.bottoms}
    outs = [t for t in produced if t not in consumed]
    if "output" in produced:
        return "output"
    if len(outs) != 1:
        raise ValueError(f"cannot determine output blob: {outs}")
    return outs[0]


# ----------------------------------------------------------------------------------------------
# Generic op-by-op graph interpreter (used by `check` to validate build_module)
# ----------------------------------------------------------------------------------------------


def _act(x, t, p):
    if t == 0:
        return x
    if t == 1:
        return F.relu(x)
    if t == 2:
        return F.leaky_relu(x, float(p[0]))
    if t == 3:
        return x.clamp(float(p[0]), float(p[1]))
    if t == 4:
        return torch.sigmoid(x)
    if t == 5:
        return x * torch.tanh(F.softplus(x))
    raise ValueError(f"activation {t} not supported")


def run_graph(layers, x):
    blobs = {}
    for l in layers:
        ins = [blobs[b] for b in l.bottoms]
        t = l.type
        if t == "Input":
            outs = [x]
        elif t == "Split":
            outs = [ins[0]] * len(l.tops)
        elif t == "Convolution":
            w = torch.from_numpy(l.weights["weight"].copy())
            b = torch.from_numpy(l.weights["bias"].copy()) if "bias" in l.weights else None
            pl = l.p(4, 0)
            y = F.conv2d(F.pad(ins[0], (pl, l.p(15, pl), l.p(14, pl), l.p(16, l.p(14, pl)))), w, b,
                         stride=(l.p(13, l.p(3, 1)), l.p(3, 1)), dilation=(l.p(12, l.p(2, 1)), l.p(2, 1)))
            outs = [_act(y, l.p(9, 0), l.p(10, []))]
        elif t == "PReLU":
            s = torch.from_numpy(l.weights["slope"].copy()).view(1, -1, 1, 1)
            outs = [torch.where(ins[0] > 0, ins[0], ins[0] * s)]
        elif t == "Concat":
            outs = [torch.cat(ins, 1)]
        elif t == "Eltwise":
            op = l.p(0, 0)
            if op == 1:
                co = l.p(1, []) or [1.0] * len(ins)
                y = sum(float(c) * a for c, a in zip(co, ins))
            elif op == 0:
                y = ins[0]
                for a in ins[1:]:
                    y = y * a
            else:
                y = ins[0]
                for a in ins[1:]:
                    y = torch.maximum(y, a)
            outs = [y]
        elif t == "BinaryOp":
            a, b = ins if len(ins) == 2 else (ins[0], float(l.p(2, 0.0)))
            op = l.p(0, 0)
            outs = [{0: lambda: a + b, 1: lambda: a - b, 2: lambda: a * b, 3: lambda: a / b,
                     4: lambda: torch.maximum(a, b), 5: lambda: torch.minimum(a, b)}[op]()]
        elif t == "Interp":
            rt = l.p(0, 0)
            h, w = ins[0].shape[2:]
            oh, ow = l.p(3, 0), l.p(4, 0)
            if not oh or not ow:
                oh, ow = int(h * float(l.p(1, 1.0))), int(w * float(l.p(2, 1.0)))
            mode = {1: "nearest", 2: "bilinear", 3: "bicubic"}[rt]
            kw = {} if mode == "nearest" else {"align_corners": bool(l.p(6, 0))}
            outs = [F.interpolate(ins[0], size=(oh, ow), mode=mode, **kw)]
        elif t == "PixelShuffle":
            if l.p(1, 0) != 0:
                raise ValueError("PixelShuffle mode 1 not supported")
            outs = [F.pixel_shuffle(ins[0], l.p(0, 1))]
        elif t == "Reorg":
            outs = [F.pixel_unshuffle(ins[0], l.p(0, 1))]
        else:
            raise ValueError(f"unsupported op {t}")
        for name, v in zip(l.tops, outs):
            blobs[name] = v
    return blobs[output_blob(layers)]


# ----------------------------------------------------------------------------------------------
# PNG I/O (PIL if available, else a minimal zlib codec for 8-bit non-interlaced images)
# ----------------------------------------------------------------------------------------------

try:
    from PIL import Image  # type: ignore
except ImportError:  # pragma: no cover
    Image = None


def _png_chunks(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    off = 8
    while off < len(data):
        n = struct.unpack(">I", data[off:off + 4])[0]
        typ = data[off + 4:off + 8]
        yield typ, data[off + 8:off + 8 + n]
        off += 12 + n


def _read_png_minimal(path):
    with open(path, "rb") as f:
        data = f.read()
    idat = b""
    plte = None
    for typ, body in _png_chunks(data):
        if typ == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif typ == b"PLTE":
            plte = np.frombuffer(body, np.uint8).reshape(-1, 3)
        elif typ == b"IDAT":
            idat += body
    if depth != 8 or interlace:
        raise ValueError("minimal PNG reader: only 8-bit non-interlaced (install python3-pil)")
    ch = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = w * ch
    out = np.zeros((h, stride), np.uint8)
    prev = np.zeros(stride, np.int32)
    pos = 0
    for y in range(h):
        ft = raw[pos]
        line = np.frombuffer(raw, np.uint8, stride, pos + 1).astype(np.int32)
        pos += 1 + stride
        cur = np.zeros(stride, np.int32)
        for i in range(stride):
            a = cur[i - ch] if i >= ch else 0
            b = prev[i]
            c = prev[i - ch] if i >= ch else 0
            if ft == 0:
                pr = 0
            elif ft == 1:
                pr = a
            elif ft == 2:
                pr = b
            elif ft == 3:
                pr = (a + b) >> 1
            else:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            cur[i] = (line[i] + pr) & 255
        out[y] = cur
        prev = cur
    img = out.reshape(h, w, ch)
    if ctype == 3:
        img = plte[img[..., 0]]
    return img


def read_rgb(path):
    """-> HxWx3 uint8 (gray expanded, alpha dropped with a warning)."""
    if Image is not None:
        im = Image.open(path)
        if im.mode in ("RGBA", "LA") or (im.mode == "P" and "transparency" in im.info):
            print(f"# warning: {path}: alpha channel dropped (RGB only)", file=sys.stderr)
        return np.asarray(im.convert("RGB"), dtype=np.uint8)
    img = _read_png_minimal(path)
    if img.shape[2] in (2, 4):
        print(f"# warning: {path}: alpha channel dropped (RGB only)", file=sys.stderr)
        img = img[..., :-1]
    if img.shape[2] == 1:
        img = np.repeat(img, 3, axis=2)
    return np.ascontiguousarray(img)


def write_rgb_png(path, img):
    img = np.ascontiguousarray(img, dtype=np.uint8)
    if Image is not None:
        Image.fromarray(img, "RGB").save(path)
        return
    h, w, _ = img.shape
    raw = b"".join(b"\x00" + img[y].tobytes() for y in range(h))

    def chunk(typ, body):
        return struct.pack(">I", len(body)) + typ + body + struct.pack(">I", zlib.crc32(typ + body) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 6)))
        f.write(chunk(b"IEND", b""))


# ----------------------------------------------------------------------------------------------
# forward / bench / compare / check
# ----------------------------------------------------------------------------------------------


def reflect101_index(n, pad):
    """Indices for reflect-101 padding of a length-n axis by pad on both sides (repeats the
    reflection if pad >= n, which torch's mode='reflect' refuses)."""
    idx = np.arange(-pad, n + pad)
    if n == 1:
        return np.zeros_like(idx)
    period = 2 * (n - 1)
    idx = np.mod(idx, period)
    return np.where(idx >= n, period - idx, idx)


def prepad(x, pad):
    if pad <= 0:
        return x
    h, w = x.shape[2:]
    if pad < h and pad < w:
        return F.pad(x, (pad, pad, pad, pad), mode="reflect")
    x = x.index_select(2, torch.from_numpy(reflect101_index(h, pad)))
    return x.index_select(3, torch.from_numpy(reflect101_index(w, pad)))


def to_uint8(y):
    """floor(clamp(v,0,1)*255 + 0.5): round half up, clamped in float first."""
    return torch.floor(y.clamp(0.0, 1.0) * 255.0 + 0.5).to(torch.uint8)


def cmd_forward(a):
    torch.set_num_threads(a.threads)
    layers, _ = load_model(a.param, a.bin)
    m = build_module(layers)
    img = read_rgb(a.input)
    h, w = img.shape[:2]
    x = torch.from_numpy(img.astype(np.float32) * np.float32(1.0 / 255.0)).permute(2, 0, 1)[None]
    x = prepad(x.contiguous(), a.pre_pad)
    if a.bf16:
        m = m.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    t0 = time.perf_counter()
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
        y = m(x).float()
    dt = time.perf_counter() - t0
    s = m.scale
    p = int(round(a.pre_pad * s))
    oh, ow = int(round(h * s)), int(round(w * s))
    y = y[:, :, p:p + oh, p:p + ow]
    if y.shape[2:] != (oh, ow):
        raise RuntimeError(f"output {tuple(y.shape)} smaller than expected {oh}x{ow}")
    write_rgb_png(a.output, to_uint8(y[0]).permute(1, 2, 0).numpy())
    print(f"# {m.arch}: {w}x{h} -> {ow}x{oh}, pre-pad {a.pre_pad}, {dt:.3f} s (first call, incl. one-time init), torch {torch.__version__}")


def macs_per_px(layers, m):
    """Conv MACs per input pixel (doc section 5)."""
    if isinstance(m, RRDBNet):
        convs = m.convs_in_ncnn_order()
        area = [1.0] * (len(convs) - 4) + [4.0, 16.0, 16.0, 16.0]
    else:
        convs = [c for c in m.body if isinstance(c, nn.Conv2d)]
        area = [1.0] * len(convs)
    return sum(c.weight.numel() * f for c, f in zip(convs, area))


def cmd_bench(a):
    torch.set_num_threads(a.threads)
    layers, _ = load_model(a.param, a.bin)
    m = build_module(layers)
    g = torch.Generator().manual_seed(0)
    x = torch.rand(1, 3, a.size, a.size, generator=g)
    if a.channels_last:
        m = m.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    times = []
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
        m(x)  # warm-up
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            m(x)
            times.append(time.perf_counter() - t0)
    best = min(times)
    mac = macs_per_px(layers, m) * a.size * a.size
    print(f"# torch {torch.__version__}, mkldnn available={torch.backends.mkldnn.is_available()} "
          f"enabled={torch.backends.mkldnn.enabled}, threads={torch.get_num_threads()}, "
          f"channels_last={a.channels_last}, bf16 autocast={a.bf16}")
    print(f"# model {m.arch}, input {a.size}x{a.size}, {mac / 1e9:.1f} GMAC, "
          f"times {' '.join(f'{t:.3f}' for t in times)} s, {mac / best / 1e9:.2f} GMAC/s")
    print(f"TORCH_SECONDS {best:.6f}")


def cmd_compare(a):
    ref = read_rgb(a.ref).astype(np.int32)
    tst = read_rgb(a.test).astype(np.int32)
    if ref.shape != tst.shape:
        sys.exit(f"shape mismatch: {ref.shape} vs {tst.shape}")
    bug = (ref == 255) & (tst < 128)
    ok = ~bug
    d = np.abs(ref - tst)[ok]
    n = d.size
    print(f"values {ref.size}, excluded (official 255 / ours <128) {int(bug.sum())}")
    print(f"within+-0 {np.mean(d == 0) * 100:.3f}%  within+-1 {np.mean(d <= 1) * 100:.3f}%  "
          f"within+-2 {np.mean(d <= 2) * 100:.3f}%  max {int(d.max()) if n else 0}  "
          f"mean {d.mean():.4f}")
    if a.min_within2 is not None and np.mean(d <= 2) * 100 < a.min_within2:
        sys.exit(1)


def cmd_check(a):
    layers, tags = load_model(a.param, a.bin)
    m = build_module(layers)
    g = torch.Generator().manual_seed(1)
    x = torch.rand(1, 3, a.size, a.size + 3, generator=g)
    with torch.inference_mode():
        y1 = m(x)
        y2 = run_graph(layers, x)
    diff = (y1 - y2).abs().max().item()
    print(f"# {m.arch}; tags {{{', '.join(f'0x{k:08x}: {v}' for k, v in tags.items())}}}; "
          f"params {sum(p.numel() for p in m.parameters())}")
    print(f"module vs graph: out {tuple(y1.shape)}, max |diff| {diff:.3e}")
    if diff > 1e-4:
        sys.exit(1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    def model_args(p):
        p.add_argument("--param", required=True)
        p.add_argument("--bin", required=True)

    p = sub.add_parser("forward")
    model_args(p)
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--pre-pad", type=int, default=10)
    p.add_argument("--bf16", action="store_true", help="bf16 autocast, channels_last")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.set_defaults(fn=cmd_forward)

    p = sub.add_parser("bench")
    model_args(p)
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--bf16", action="store_true", help="bf16 autocast (oneDNN bf16 kernels)")
    p.set_defaults(fn=cmd_bench)

    p = sub.add_parser("compare")
    p.add_argument("--ref", required=True, help="official realesrgan-ncnn-vulkan output")
    p.add_argument("--test", required=True)
    p.add_argument("--min-within2", type=float, default=None, help="exit 1 if below (percent)")
    p.set_defaults(fn=cmd_compare)

    p = sub.add_parser("check")
    model_args(p)
    p.add_argument("--size", type=int, default=24)
    p.set_defaults(fn=cmd_check)

    a = ap.parse_args(argv)
    a.fn(a)


if __name__ == "__main__":
    main()
