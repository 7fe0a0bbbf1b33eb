#!/usr/bin/python3
"""Writes PyTorch checkpoints (.pth) with seeded random weights, plus reference outputs, for PthConverterTest.

    /usr/bin/python3 make_checkpoints.py OUTDIR [CASE ...]
    /usr/bin/python3 make_checkpoints.py from-ncnn bench/torch_esrgan.py OUTDIR MODEL.param ...

For each case: OUTDIR/CASE.pth (saved by torch.save, as the real releases are), CASE.in.u8 (the test
image, H x W x 3 bytes) and CASE.ref.f32 (the network's float32 output on that image / 255, C x H*s x
W*s, little endian, not clamped). OUTDIR/manifest.json lists the cases with their sizes. The networks
are written out here after BasicSR / Real-ESRGAN (RRDBNet, SRVGGNetCompact) and the original ESRGAN
(old key layout), so their state-dict keys are the published ones.

Hostile cases (no reference): checkpoints whose pickle would call os.system / builtins.eval or
rebuild an arbitrary class when loaded with torch.load(weights_only=False). They are only written
here; nothing in them is ever executed.
"""

import json
import os
import sys
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)

# ------------------------------------------------------------------------------------------------
# Networks
# ------------------------------------------------------------------------------------------------


class ResidualDenseBlock(nn.Module):
    def __init__(self, num_feat=64, num_grow_ch=32):
        super().__init__()
        self.conv1 = nn.Conv2d(num_feat, num_grow_ch, 3, 1, 1)
        self.conv2 = nn.Conv2d(num_feat + num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv3 = nn.Conv2d(num_feat + 2 * num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv4 = nn.Conv2d(num_feat + 3 * num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv5 = nn.Conv2d(num_feat + 4 * num_grow_ch, num_feat, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(negative_slope=0.2, inplace=True)

    def forward(self, x):
        x1 = self.lrelu(self.conv1(x))
        x2 = self.lrelu(self.conv2(torch.cat((x, x1), 1)))
        x3 = self.lrelu(self.conv3(torch.cat((x, x1, x2), 1)))
        x4 = self.lrelu(self.conv4(torch.cat((x, x1, x2, x3), 1)))
        x5 = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
        return x5 * 0.2 + x


class RRDB(nn.Module):
    def __init__(self, num_feat, num_grow_ch=32):
        super().__init__()
        self.rdb1 = ResidualDenseBlock(num_feat, num_grow_ch)
        self.rdb2 = ResidualDenseBlock(num_feat, num_grow_ch)
        self.rdb3 = ResidualDenseBlock(num_feat, num_grow_ch)

    def forward(self, x):
        out = self.rdb3(self.rdb2(self.rdb1(x)))
        return out * 0.2 + x


class RRDBNet(nn.Module):
    """BasicSR / Real-ESRGAN RRDBNet; scale 8 adds conv_up3 as in ai-forever/Real-ESRGAN."""

    def __init__(self, num_in_ch=3, num_out_ch=3, scale=4, num_feat=64, num_block=23, num_grow_ch=32):
        super().__init__()
        self.scale = scale
        if scale == 2:
            num_in_ch = num_in_ch * 4
        elif scale == 1:
            num_in_ch = num_in_ch * 16
        self.conv_first = nn.Conv2d(num_in_ch, num_feat, 3, 1, 1)
        self.body = nn.Sequential(*[RRDB(num_feat, num_grow_ch) for _ in range(num_block)])
        self.conv_body = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up1 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up2 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        if scale == 8:
            self.conv_up3 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_hr = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_last = nn.Conv2d(num_feat, num_out_ch, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(negative_slope=0.2, inplace=True)

    def forward(self, x):
        if self.scale == 2:
            feat = F.pixel_unshuffle(x, 2)
        elif self.scale == 1:
            feat = F.pixel_unshuffle(x, 4)
        else:
            feat = x
        feat = self.conv_first(feat)
        body_feat = self.conv_body(self.body(feat))
        feat = feat + body_feat
        feat = self.lrelu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")))
        feat = self.lrelu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")))
        if self.scale == 8:
            feat = self.lrelu(self.conv_up3(F.interpolate(feat, scale_factor=2, mode="nearest")))
        return self.conv_last(self.lrelu(self.conv_hr(feat)))


# The original ESRGAN (xinntao/ESRGAN, "old arch"): nn.Sequential models whose keys are
# model.0, model.1.sub.N.RDBk.convj.0, model.1.sub.NB, model.3, model.6, model.8, model.10.


class OldRDB(nn.Module):
    def __init__(self, nf, gc):
        super().__init__()
        lrelu = lambda: nn.LeakyReLU(0.2, True)
        self.conv1 = nn.Sequential(nn.Conv2d(nf, gc, 3, 1, 1), lrelu())
        self.conv2 = nn.Sequential(nn.Conv2d(nf + gc, gc, 3, 1, 1), lrelu())
        self.conv3 = nn.Sequential(nn.Conv2d(nf + 2 * gc, gc, 3, 1, 1), lrelu())
        self.conv4 = nn.Sequential(nn.Conv2d(nf + 3 * gc, gc, 3, 1, 1), lrelu())
        self.conv5 = nn.Sequential(nn.Conv2d(nf + 4 * gc, nf, 3, 1, 1))

    def forward(self, x):
        x1 = self.conv1(x)
        x2 = self.conv2(torch.cat((x, x1), 1))
        x3 = self.conv3(torch.cat((x, x1, x2), 1))
        x4 = self.conv4(torch.cat((x, x1, x2, x3), 1))
        x5 = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
        return x5.mul(0.2) + x


class OldRRDB(nn.Module):
    def __init__(self, nf, gc):
        super().__init__()
        self.RDB1 = OldRDB(nf, gc)
        self.RDB2 = OldRDB(nf, gc)
        self.RDB3 = OldRDB(nf, gc)

    def forward(self, x):
        return self.RDB3(self.RDB2(self.RDB1(x))).mul(0.2) + x


class ShortcutBlock(nn.Module):
    def __init__(self, sub):
        super().__init__()
        self.sub = sub

    def forward(self, x):
        return x + self.sub(x)


class OldESRGAN(nn.Module):
    def __init__(self, in_nc=3, out_nc=3, nf=64, nb=23, gc=32, upscale=4):
        super().__init__()
        n_up = {1: 0, 2: 1, 3: 1, 4: 2, 8: 3}[upscale]
        factor = 3 if upscale == 3 else 2
        layers = [nn.Conv2d(in_nc, nf, 3, 1, 1),
                  ShortcutBlock(nn.Sequential(*[OldRRDB(nf, gc) for _ in range(nb)], nn.Conv2d(nf, nf, 3, 1, 1)))]
        for _ in range(n_up):
            layers += [nn.Upsample(scale_factor=factor, mode="nearest"), nn.Conv2d(nf, nf, 3, 1, 1), nn.LeakyReLU(0.2, True)]
        layers += [nn.Conv2d(nf, nf, 3, 1, 1), nn.LeakyReLU(0.2, True), nn.Conv2d(nf, out_nc, 3, 1, 1)]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


class SRVGGNetCompact(nn.Module):
    """Real-ESRGAN's compact VGG-style network (realesr-animevideov3, realesr-general-x4v3)."""

    def __init__(self, num_in_ch=3, num_out_ch=3, num_feat=64, num_conv=16, upscale=4):
        super().__init__()
        self.upscale = upscale
        self.body = nn.ModuleList()
        self.body.append(nn.Conv2d(num_in_ch, num_feat, 3, 1, 1))
        self.body.append(nn.PReLU(num_parameters=num_feat))
        for _ in range(num_conv):
            self.body.append(nn.Conv2d(num_feat, num_feat, 3, 1, 1))
            self.body.append(nn.PReLU(num_parameters=num_feat))
        self.body.append(nn.Conv2d(num_feat, num_out_ch * upscale * upscale, 3, 1, 1))
        self.upsampler = nn.PixelShuffle(upscale)

    def forward(self, x):
        out = x
        for layer in self.body:
            out = layer(out)
        out = self.upsampler(out)
        return out + F.interpolate(x, scale_factor=self.upscale, mode="nearest")


# ------------------------------------------------------------------------------------------------
# Cases
# ------------------------------------------------------------------------------------------------

# name: (builder, wrapper, stored dtype, pickle protocol, image width, height)
CASES = {
    "rrdb_x4_small": (lambda: RRDBNet(scale=4, num_feat=16, num_block=2, num_grow_ch=8), "params_ema+params", "fp32", 2, 20, 14),
    "rrdb_x4_full": (lambda: RRDBNet(scale=4, num_feat=64, num_block=23, num_grow_ch=32), "params_ema", "fp32", 2, 8, 6),
    "rrdb_x2": (lambda: RRDBNet(scale=2, num_feat=16, num_block=2, num_grow_ch=8), "params", "fp32", 2, 18, 12),
    "rrdb_x8": (lambda: RRDBNet(scale=8, num_feat=16, num_block=1, num_grow_ch=8), "module", "fp32", 2, 10, 8),
    "rrdb_anime_6b": (lambda: RRDBNet(scale=4, num_feat=64, num_block=6, num_grow_ch=32), "params_ema", "fp32", 2, 10, 8),
    "rrdb_x1": (lambda: RRDBNet(scale=1, num_feat=16, num_block=1, num_grow_ch=8), "params_ema", "fp32", 2, 16, 12),
    "esrgan_old_x4": (lambda: OldESRGAN(nf=16, nb=2, gc=8, upscale=4), "raw", "fp32", 2, 16, 12),
    "esrgan_old_x3": (lambda: OldESRGAN(nf=16, nb=1, gc=8, upscale=3), "raw", "fp32", 2, 11, 9),
    "esrgan_trunk_x4": (lambda: RRDBNet(scale=4, num_feat=16, num_block=2, num_grow_ch=8), "esrgan-names", "fp32", 2, 14, 10),
    "srvgg_x4": (lambda: SRVGGNetCompact(num_feat=16, num_conv=4, upscale=4), "params", "fp32", 2, 21, 13),
    "srvgg_x2": (lambda: SRVGGNetCompact(num_feat=16, num_conv=3, upscale=2), "params", "fp32", 2, 17, 11),
    "rrdb_x4_fp16": (lambda: RRDBNet(scale=4, num_feat=16, num_block=2, num_grow_ch=8), "params_ema", "fp16", 4, 16, 16),
    "srvgg_x4_bf16": (lambda: SRVGGNetCompact(num_feat=16, num_conv=2, upscale=4), "params", "bf16", 2, 15, 9),
    "rrdb_x4_views": (lambda: RRDBNet(scale=4, num_feat=16, num_block=1, num_grow_ch=8), "views", "fp32", 2, 12, 12),
}


def last_conv(model):
    if isinstance(model, RRDBNet):
        return model.conv_last
    if isinstance(model, OldESRGAN):
        return model.model[-1]
    return model.body[-1]


def test_image(w, h, seed):
    g = torch.Generator().manual_seed(seed)
    ys = torch.arange(h, dtype=torch.float32).view(h, 1, 1)
    xs = torch.arange(w, dtype=torch.float32).view(1, w, 1)
    phase = torch.tensor([0.0, 1.3, 2.6]).view(1, 1, 3)
    smooth = 128 + 90 * torch.sin(xs / 3.1 + phase) * torch.cos(ys / 2.3 - phase)
    noise = torch.randint(-30, 31, (h, w, 3), generator=g).float()
    return (smooth + noise).clamp(0, 255).round().to(torch.uint8)


def calibrate(model, x):
    """Rescales the last convolution so that the random network's output spreads over [0, 1]
    (std about 0.2 around 0.5) instead of saturating: out' = base + k * (out - base) + c, where base
    is the output with the last convolution zeroed (the nearest-upscaled input for SRVGGNetCompact,
    0 for RRDB networks). Returns the new output, computed from the captured input of the last
    convolution for RRDB networks (one forward pass: the 23-block network is slow on 2 cores)."""
    conv = last_conv(model)
    captured = []
    hook = conv.register_forward_hook(lambda mod, inp, out: captured.append(inp[0]))
    with torch.no_grad():
        out = model(x)
        hook.remove()
        if isinstance(model, SRVGGNetCompact):
            w0, b0 = conv.weight.clone(), conv.bias.clone()
            conv.weight.zero_()
            conv.bias.zero_()
            base = model(x)
            conv.weight.copy_(w0)
            conv.bias.copy_(b0)
        else:
            base = torch.zeros_like(out)
        k = 0.2 / float((out - base).std().clamp_min(1e-6))
        c = 0.5 - float((base + k * (out - base)).mean())
        conv.weight.mul_(k)
        conv.bias.mul_(k).add_(c)
        if isinstance(model, SRVGGNetCompact):
            return model(x)
        return F.conv2d(captured[0], conv.weight, conv.bias, padding=1)


def esrgan_names(sd):
    """Real-ESRGAN key names -> the 2019 ESRGAN names (RRDB_trunk, trunk_conv, upconvN, HRconv)."""
    out = OrderedDict()
    for k, v in sd.items():
        k2 = k
        if k.startswith("body."):
            parts = k.split(".")
            k2 = "RRDB_trunk.%s.RDB%s.%s.%s" % (parts[1], parts[2][3:], parts[3], parts[4])
        k2 = k2.replace("conv_body.", "trunk_conv.").replace("conv_hr.", "HRconv.")
        k2 = k2.replace("conv_up1.", "upconv1.").replace("conv_up2.", "upconv2.")
        out[k2] = v
    return out


def as_views(sd):
    """Every tensor becomes a view into one shared storage (storage offsets), and 4-D weights are
    stored transposed and viewed back (non-contiguous strides)."""
    total = sum(v.numel() for v in sd.values())
    flat = torch.zeros(total)
    out = OrderedDict()
    at = 0
    for k, v in sd.items():
        n = v.numel()
        if v.dim() == 4:
            # store as [k, k, in, out], view back as [out, in, k, k]
            flat[at:at + n] = v.permute(2, 3, 1, 0).contiguous().view(-1)
            out[k] = flat[at:at + n].view(v.shape[2], v.shape[3], v.shape[1], v.shape[0]).permute(3, 2, 0, 1)
        else:
            flat[at:at + n] = v.reshape(-1)
            out[k] = flat[at:at + n].view(v.shape)
        assert torch.equal(out[k], v)
        at += n
    return out


def make_case(name, outdir, seed):
    build, wrapper, dtype, protocol, w, h = CASES[name]
    torch.manual_seed(seed)
    model = build().eval()
    img = test_image(w, h, seed)
    x = img.permute(2, 0, 1).unsqueeze(0).float() / 255.0
    ref = calibrate(model, x)[0].contiguous()

    if dtype == "fp16":
        model = model.half()
    elif dtype == "bf16":
        model = model.to(torch.bfloat16)
    # An OrderedDict with _metadata, as model.state_dict() gives and the published files hold.
    live = model.state_dict()
    sd = OrderedDict((k, v.detach().clone()) for k, v in live.items())
    sd._metadata = live._metadata
    if dtype != "fp32":
        model = model.float()  # the reference runs in fp32 with the rounded weights
        with torch.no_grad():
            ref = model(x)[0].contiguous()

    if wrapper == "params_ema":
        obj = {"params_ema": sd}
    elif wrapper == "params_ema+params":
        # BasicSR checkpoints carry both; params_ema must win. params here is deliberately different.
        obj = {"params": {k: torch.zeros_like(v) for k, v in sd.items()}, "params_ema": sd}
    elif wrapper == "params":
        obj = {"params": sd}
    elif wrapper == "module":
        obj = OrderedDict(("module." + k, v) for k, v in sd.items())
    elif wrapper == "esrgan-names":
        obj = esrgan_names(sd)
    elif wrapper == "views":
        obj = {"params": as_views(sd)}
    else:
        obj = sd
    path = os.path.join(outdir, name + ".pth")
    torch.save(obj, path, pickle_protocol=protocol)

    with open(os.path.join(outdir, name + ".in.u8"), "wb") as f:
        f.write(img.numpy().tobytes())
    with open(os.path.join(outdir, name + ".ref.f32"), "wb") as f:
        f.write(ref.numpy().astype("<f4").tobytes())
    return {"name": name, "width": w, "height": h, "channels": int(ref.shape[0]),
            "outWidth": int(ref.shape[2]), "outHeight": int(ref.shape[1]), "scale": int(ref.shape[2] // w), "dtype": dtype,
            "refMin": float(ref.min()), "refMax": float(ref.max()), "refStd": float(ref.std())}


# ------------------------------------------------------------------------------------------------
# Hostile checkpoints
# ------------------------------------------------------------------------------------------------


class SystemCall:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, ("touch " + self.marker,))


class EvalCall:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import builtins
        return (builtins.eval, ("open(%r, 'w').close()" % self.marker,))


class Payload:
    """An arbitrary class: unpickling it would import this module and rebuild the object."""

    def __init__(self, marker):
        self.marker = marker


def make_hostile(outdir, marker):
    weight = torch.zeros(4, 3, 3, 3)
    cases = {
        "evil_os_system": ({"params": {"conv_first.weight": weight, "hook": SystemCall(marker)}}, 2),
        "evil_eval": ({"conv_first.weight": weight, "x": EvalCall(marker)}, 2),
        "evil_class": ({"params_ema": {"conv_first.weight": weight}, "meta": Payload(marker)}, 2),
        "evil_stack_global": ({"conv_first.weight": weight, "hook": SystemCall(marker)}, 4),
    }
    for name, (obj, protocol) in cases.items():
        torch.save(obj, os.path.join(outdir, name + ".pth"), pickle_protocol=protocol)
    torch.save({"conv_first.weight": weight}, os.path.join(outdir, "legacy.pth"), _use_new_zipfile_serialization=False)
    return sorted(cases) + ["legacy"]


def from_ncnn(bench_script, outdir, *params):
    """Published ncnn models' weights as Real-ESRGAN state dicts ({'params_ema': ...}) in
    OUTDIR/NAME.pth, read with the repository's PyTorch reference (bench/torch_esrgan.py), whose
    modules use BasicSR's key names."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("torch_esrgan", bench_script)
    te = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(te)
    for param in params:
        layers, _ = te.load_model(param, param[:-len(".param")] + ".bin")
        model = te.build_module(layers)
        name = os.path.basename(param)[:-len(".param")]
        torch.save({"params_ema": model.state_dict()}, os.path.join(outdir, name + ".pth"))


def main():
    if sys.argv[1] == "from-ncnn":
        from_ncnn(*sys.argv[2:])
        return
    outdir = sys.argv[1]
    names = sys.argv[2:] or list(CASES)
    os.makedirs(outdir, exist_ok=True)
    manifest = {"torch": torch.__version__, "cases": []}
    for name in names:
        if name == "hostile":
            manifest["hostile"] = make_hostile(outdir, os.path.join(outdir, "PWNED"))
        else:
            manifest["cases"].append(make_case(name, outdir, 1000 + 17 * sorted(CASES).index(name)))
    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
