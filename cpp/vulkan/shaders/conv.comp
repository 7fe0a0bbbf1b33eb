#version 450
#extension GL_GOOGLE_include_directive : require
// Direct convolution (cross-correlation), any kernel / stride / dilation / padding, with bias and a
// fused activation. Blobs are planar (c, h, w) floats at an element offset in their buffer. One
// invocation computes one output pixel for 8 output channels (two vec4 accumulators); the weights of
// those 8 channels are laid out [ic][ky][kx][8] so every tap reads two consecutive vec4s.
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z = 1) in;
layout(constant_id = 2) const int KW = 3;
layout(constant_id = 3) const int KH = 3;
layout(constant_id = 4) const int DW = 1;
layout(constant_id = 5) const int DH = 1;
layout(constant_id = 6) const int SW = 1;
layout(constant_id = 7) const int SH = 1;
layout(constant_id = 8) const int ACT = 0;

layout(std430, binding = 0) readonly buffer In { float src[]; };
layout(std430, binding = 2) writeonly buffer Out { float dst[]; };
layout(std430, binding = 3) readonly buffer Weights { vec4 wts[]; };

layout(push_constant) uniform Params {
    int inOff, outOff, wOff, bOff;  // inOff/outOff in floats, wOff/bOff in vec4s
    int inW, inH, inC;
    int outW, outH, outC;
    int padL, padT;
    float padValue, a0, a1;
} p;

#include "activation.glsl"

void main() {
    const int ox = int(gl_GlobalInvocationID.x), oy = int(gl_GlobalInvocationID.y), ob = int(gl_GlobalInvocationID.z);
    if (ox >= p.outW || oy >= p.outH) return;
    vec4 acc0 = wts[p.bOff + ob * 2], acc1 = wts[p.bOff + ob * 2 + 1];
    const int ix0 = ox * SW - p.padL, iy0 = oy * SH - p.padT;
    const int plane = p.inW * p.inH;
    int wi = p.wOff + ob * p.inC * (KH * KW * 2);
    int base = p.inOff;
    for (int ic = 0; ic < p.inC; ++ic, base += plane) {
        for (int ky = 0; ky < KH; ++ky) {
            const int iy = iy0 + ky * DH;
            const bool rowOk = iy >= 0 && iy < p.inH;
            for (int kx = 0; kx < KW; ++kx) {
                const int ix = ix0 + kx * DW;
                const bool ok = rowOk && ix >= 0 && ix < p.inW;
                const float v = ok ? src[ok ? base + iy * p.inW + ix : base] : p.padValue;
                acc0 += v * wts[wi];
                acc1 += v * wts[wi + 1];
                wi += 2;
            }
        }
    }
    const int outPlane = p.outW * p.outH;
    int o = p.outOff + (ob * 8) * outPlane + oy * p.outW + ox;
    const int valid = min(8, p.outC - ob * 8);
    for (int j = 0; j < valid; ++j, o += outPlane) dst[o] = activate(j < 4 ? acc0[j] : acc1[j - 4]);
}
