#!/usr/bin/env python3
"""Writes src/test/resources/corpus/: small broken and hostile image and model files that
CorpusReplayTest feeds to ImageFiles.read and Upscaler.open. Every file is generated here, so the
corpus can be reviewed and regenerated: python3 scripts/make-fuzz-corpus.py

images/NAME  must be refused with an ImageReadException, except ok-* which must decode (broken only in
metadata or in ways the decoders tolerate: bad CRCs, data after the end).
models/NAME.param  is loaded with the valid test model's .bin; models/NAME.bin with its .param.
Both must fail with a ModelLoadException (never another exception, never a JVM crash).
"""
import os, struct, zlib

root = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "corpus")
images = os.path.join(root, "images"); models = os.path.join(root, "models")
os.makedirs(images, exist_ok=True); os.makedirs(models, exist_ok=True)

def img(name, data):
    with open(os.path.join(images, name), "wb") as f: f.write(data)

def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

SIG = b"\x89PNG\r\n\x1a\n"
def ihdr(w, h, depth=8, ctype=2): return chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0))
def idat(w, h): return chunk(b"IDAT", zlib.compress(b"".join(b"\0" + b"\x80" * (3 * w) for _ in range(h))))
def png(*chunks): return SIG + b"".join(chunks) + chunk(b"IEND", b"")

img("zero-bytes", b"")
img("one-byte", b"\x89")
img("png-signature-only", SIG)
img("png-truncated-ihdr", SIG + ihdr(4, 4)[:10])
img("png-no-idat", png(ihdr(4, 4)))
img("png-bomb-header", png(ihdr(100000, 100000), idat(1, 1)))
img("png-max-header", png(ihdr(0x7FFFFFFF, 0x7FFFFFFF), idat(1, 1)))
img("png-zero-width", png(ihdr(0, 4), idat(1, 4)))
img("png-bad-depth", png(ihdr(4, 4, depth=7), idat(4, 4)))
img("png-bad-colour-type", png(ihdr(4, 4, ctype=5), idat(4, 4)))
img("png-palette-without-plte", png(ihdr(4, 4, ctype=3), idat(4, 4)))
good = png(ihdr(4, 4), idat(4, 4))
img("png-truncated-idat", good[:len(good) - 12 - 4 - 10])
img("ok-png-cut-in-iend", good[:len(good) - 20])
img("ok-png-bad-crc", good[:30] + bytes([good[30] ^ 0xFF]) + good[31:])
img("png-huge-chunk-length", SIG + ihdr(4, 4) + struct.pack(">I", 0x7FFFFFF0) + b"IDAT" + b"\0" * 16)
img("ok-png-idat-zlib-bomb", png(ihdr(4, 4), chunk(b"IDAT", zlib.compress(b"\0" * 4_000_000, 9))))
# Metadata that is broken but beside valid pixels: the image must still decode.
img("ok-png-iccp-zlib-bomb", png(ihdr(4, 4), chunk(b"iCCP", b"icc\0\0" + zlib.compress(b"\0" * 16_000_000, 9)), idat(4, 4)))
img("ok-png-iccp-garbage", png(ihdr(4, 4), chunk(b"iCCP", b"icc\0\0" + b"\x78\x9c\xff\xff\xff"), idat(4, 4)))
img("ok-png-exif-loop", png(ihdr(4, 4), chunk(b"eXIf", b"MM\0*\0\0\0\x08\xff\xff" + b"\x01\x12\0\x03\0\0\0\x01\0\x06\0\0" * 3), idat(4, 4)))
img("ok-png-exif-bad-offset", png(ihdr(4, 4), chunk(b"eXIf", b"II*\0\xff\xff\xff\x7f"), idat(4, 4)))

def seg(marker, data): return bytes([0xFF, marker]) + struct.pack(">H", len(data) + 2) + data
SOI = b"\xff\xd8"
def sof(w, h, comps=3): return seg(0xC0, struct.pack(">BHHB", 8, h, w, comps) + b"".join(bytes([i + 1, 0x11, 0]) for i in range(comps)))
img("jpeg-soi-only", SOI)
img("jpeg-soi-ff", SOI + b"\xff")
img("jpeg-truncated-sof", SOI + sof(16, 16)[:7])
img("jpeg-bomb-sof", SOI + sof(65535, 65535) + b"\xff\xd9")
img("jpeg-zero-height", SOI + sof(16, 0) + b"\xff\xd9")
img("jpeg-sof-no-scan", SOI + sof(16, 16) + b"\xff\xd9")
img("jpeg-bad-segment-length", SOI + b"\xff\xe0\x00\x01" + b"\0" * 8)
img("jpeg-app1-exif-truncated", SOI + seg(0xE1, b"Exif\0\0MM\0*\0\0\0\x08\0\x05"))
img("jpeg-app2-icc-bad-sequence", SOI + seg(0xE2, b"ICC_PROFILE\0\x09\x02" + b"\0" * 64) + seg(0xE2, b"ICC_PROFILE\0\x00\x00") + sof(8, 8))
img("jpeg-many-sof", SOI + sof(8, 8) * 50)
img("jpeg-unknown-sof-type", SOI + seg(0xCF, struct.pack(">BHHB", 8, 8, 8, 1) + b"\x01\x11\x00") + b"\xff\xd9")

img("gif-header-only", b"GIF89a")
img("gif-bomb-screen", b"GIF89a" + struct.pack("<HH", 65535, 65535) + b"\x00\x00\x00")
img("gif-bomb-image", b"GIF89a" + struct.pack("<HH", 1, 1) + b"\x00\x00\x00" + b"," + struct.pack("<HHHH", 0, 0, 65535, 65535) + b"\x00\x08\x02\x4c\x01\x00;")
img("gif-no-image", b"GIF89a" + struct.pack("<HH", 4, 4) + b"\x00\x00\x00;")
img("gif-bad-lzw-size", b"GIF89a" + struct.pack("<HH", 4, 4) + b"\x00\x00\x00," + struct.pack("<HHHH", 0, 0, 4, 4) + b"\x00\x0f\x02\xff\xff\x00;")

def riff(*chunks):
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body
def rchunk(t, d): return t + struct.pack("<I", len(d)) + d + (b"\0" if len(d) % 2 else b"")
img("webp-riff-only", b"RIFF\x04\0\0\0WEBP")
img("webp-truncated-vp8l", riff(rchunk(b"VP8L", b"\x2f\x03\xc0\x00")))
img("webp-vp8x-bomb-canvas", riff(rchunk(b"VP8X", b"\x02\0\0\0" + b"\xff\x3f\0" + b"\xff\x3f\0"), rchunk(b"ANIM", b"\0" * 6)))
img("webp-vp8x-max-canvas", riff(rchunk(b"VP8X", b"\x02\0\0\0" + b"\xff\xff\xff" * 2), rchunk(b"ANIM", b"\0" * 6), rchunk(b"ANMF", b"\0" * 16)))
img("webp-anmf-truncated", riff(rchunk(b"VP8X", b"\x02\0\0\0" + b"\x03\0\0\x03\0\0"), rchunk(b"ANIM", b"\0" * 6), b"ANMF\xff\xff\0\0\0\0"))
img("webp-riff-size-lies", b"RIFF\xff\xff\xff\x7fWEBPVP8L\xff\xff\xff\x7f\x2f")
img("webp-vp8-bad-keyframe", riff(rchunk(b"VP8 ", b"\x10\x02\0\x9d\x01\x2a\xff\x3f\xff\x3f" + b"\0" * 20)))

def bmp(w, h, bpp=24, extra=b""):
    dib = struct.pack("<IiiHHIIiiII", 40, w, h, 1, bpp, 0, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + len(dib) + len(extra), 0, 0, 54) + dib + extra
img("bmp-header-only", b"BM")
img("bmp-bomb", bmp(0x7FFFFFFF, 0x7FFFFFFF, extra=b"\0" * 16))
img("bmp-negative-width", bmp(-4, 4, extra=b"\0" * 48))
img("bmp-bad-bpp", bmp(4, 4, bpp=13, extra=b"\0" * 48))
img("bmp-truncated-pixels", bmp(64, 64, extra=b"\0" * 10))

def tiff(entries, extra=b""):
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries) + struct.pack("<I", 0)
    return b"II*\0" + struct.pack("<I", 8) + ifd + extra
img("tiff-header-only", b"II*\0")
img("tiff-empty-ifd", b"II*\0\x08\0\0\0\0\0\0\0\0\0")
img("tiff-bomb", tiff([(256, 4, 1, 0x7FFFFFFF), (257, 4, 1, 0x7FFFFFFF), (258, 3, 1, 8), (262, 3, 1, 1), (273, 4, 1, 8), (279, 4, 1, 16)]))
img("tiff-ifd-loop", b"II*\0\x08\0\0\0" + struct.pack("<H", 1) + struct.pack("<HHII", 256, 3, 1, 4) + struct.pack("<I", 8))
img("tiff-strip-out-of-file", tiff([(256, 3, 1, 4), (257, 3, 1, 4), (258, 3, 1, 8), (262, 3, 1, 1), (273, 4, 1, 0x7FFFFF00), (279, 4, 1, 16)]))
img("ok-tiff-huge-count", tiff([(256, 3, 1, 4), (257, 3, 1, 4), (258, 3, 0x3FFFFFFF, 100), (262, 3, 1, 1), (273, 4, 1, 8), (279, 4, 1, 16)]))

img("text-not-an-image", b"hello, this is not a picture\n")
img("html-error-page", b"<!DOCTYPE html><html><body>404 Not Found</body></html>\n")

# Models: .param texts loaded with the valid model's .bin (see CorpusReplayTest.validModel).
params = {
    "empty": "",
    "magic-only": "7767517\n",
    "bad-magic": "7767518\n6 6\n",
    "counts-not-numbers": "7767517\nsix six\n",
    "negative-counts": "7767517\n-1 -1\n",
    "huge-counts": "7767517\n2147483647 2147483647\nInput data 0 1 data 0=3\n",
    "layer-missing-fields": "7767517\n2 2\nInput data 0 1 data\nConvolution\n",
    "unknown-layer": "7767517\n2 2\nInput data 0 1 data\nFrobnicate f 1 1 data output\n",
    "bottom-never-produced": "7767517\n2 2\nInput data 0 1 data\nConvolution c 1 1 nowhere output 0=3 1=3 5=1 6=81\n",
    "huge-bottom-count": "7767517\n2 2\nInput data 0 1 data\nConvolution c 2147483647 1 data output 0=3 1=3 5=1 6=81\n",
    "param-id-out-of-range": "7767517\n2 2\nInput data 0 1 data\nConvolution c 1 1 data output 99999=3 0=3 1=3 6=81\n",
    "param-not-a-number": "7767517\n2 2\nInput data 0 1 data\nConvolution c 1 1 data output 0=abc 1=3 6=81\n",
    "param-array-huge": "7767517\n2 2\nInput data 0 1 data\nConvolution c 1 1 data output -23300=2147483647,1\n",
    "param-array-negative": "7767517\n2 2\nInput data 0 1 data\nConvolution c 1 1 data output -23300=-5,1\n",
    "negative-kernel": "7767517\n2 2\nInput data 0 1 data\nConvolution c 1 1 data output 0=3 1=-3 5=1 6=81\n",
    "huge-weight-size": "7767517\n2 2\nInput data 0 1 data\nConvolution c 1 1 data output 0=3 1=3 5=1 6=2147483647\n",
    # Found by MutationFuzzTest (seed 99): 65536*65536*65536 overflowed an int to 0, then % 0 crashed the JVM (SIGFPE).
    "conv-kernel-product-overflow": "7767517\n2 2\nInput data 0 1 data\nConvolution c 1 1 data output 0=65536 1=65536 5=1 6=81\n",
    "conv-kernel-product-negative": "7767517\n2 2\nInput data 0 1 data\nConvolution c 1 1 data output 0=65537 1=65537 11=32769 5=1 6=81\n",
    "pixelshuffle-huge-factor": "7767517\n2 2\nInput data 0 1 data\nPixelShuffle ps 1 1 data output 0=65536\n",
    "reorg-huge-stride": "7767517\n2 2\nInput data 0 1 data\nReorg r 1 1 data output 0=65536\n",
    "zero-outputs": "7767517\n2 2\nInput data 0 1 data\nConvolution c 1 1 data output 0=0 1=3 5=1 6=0\n",
    "pixelshuffle-zero": "7767517\n2 2\nInput data 0 1 data\nPixelShuffle ps 1 1 data output 0=0\n",
    "cycle": "7767517\n3 3\nInput data 0 1 data\nBinaryOp a 2 1 data b a_out 0=0\nBinaryOp b 1 1 a_out b 0=0\n",
    "duplicate-top": "7767517\n3 2\nInput data 0 1 data\nReLU r1 1 1 data output\nReLU r2 1 1 data output\n",
    "nul-bytes": "7767517\n2 2\nInput data 0 1 data\x00\x00\nReLU r 1 1 data output\n",
    "very-long-name": "7767517\n2 2\nInput " + "n" * 5000 + " 0 1 data\nReLU r 1 1 data output\n",
    "binary-garbage": "\x7fELF\x02\x01\x01\x00" + "\xff" * 40,
}
for name, text in params.items():
    with open(os.path.join(models, name + ".param"), "wb") as f: f.write(text.encode("latin-1"))
# .bin files loaded with the valid model's .param.
bins = {
    "empty": b"",
    "one-tag": struct.pack("<I", 0x01306B47),
    "bad-tag": struct.pack("<I", 0x12345678) + b"\0" * 696,
    "fp16-tag-truncated": struct.pack("<I", 0x01306B47) + b"\0" * 100,
    "int8-tag": struct.pack("<I", 0x000D4B38) + b"\0" * 696,
    "nan-everywhere": struct.pack("<I", 0x01306B47) + b"\xff\x7f" * 108 + struct.pack("<f", float("nan")) * 4 * 3 + struct.pack("<I", 0) + struct.pack("<f", float("inf")) * 111,
}
for name, data in bins.items():
    with open(os.path.join(models, name + ".bin"), "wb") as f: f.write(data)
