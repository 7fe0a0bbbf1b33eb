#version 450
#extension GL_GOOGLE_include_directive : require
#include "storage.glsl"
// Direct convolution (cross-correlation), any kernel / stride / dilation / padding, with bias and a
// fused activation. Blobs are planar (c, h, w) at an element offset in their buffer.
// One invocation computes 4 horizontally adjacent output pixels for 8 output channels (one block,
// = the work group's z); the block's weights are laid out [ic][ky][kx][8], two vec4s per tap.
// There is no early return: invocations past the edge compute on clamped rows and skip the store,
// so the weight loads stay uniform across the work group (software rasterisers load them once).
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z = 1) in;
layout(constant_id = 2) const int KW = 3;
layout(constant_id = 3) const int KH = 3;
layout(constant_id = 4) const int DW = 1;
layout(constant_id = 5) const int DH = 1;
layout(constant_id = 6) const int SW = 1;
layout(constant_id = 7) const int SH = 1;
layout(constant_id = 8) const int ACT = 0;

layout(std430, binding = 0) readonly buffer In { sfloat src[]; };
layout(std430, binding = 2) writeonly buffer Out { sfloat dst[]; };
layout(std430, binding = 3) readonly buffer Weights { svec4 wts[]; };

layout(push_constant) uniform Params {
    int inOff, outOff, wOff, bOff;  // inOff/outOff in floats, wOff/bOff in vec4s
    int inW, inH, inC;
    int outW, outH, outC;
    int padL, padT;
    float padValue, a0, a1;
} p;

#include "activation.glsl"
#include "conv_store.glsl"

void main() {
    const int ob = int(gl_WorkGroupID.z);
    const int ox = int(gl_GlobalInvocationID.x) * 4, oy = int(gl_GlobalInvocationID.y);
    const int iy0 = min(oy, p.outH - 1) * SH - p.padT;
    const int ix0 = ox * SW - p.padL;
    vec4 a00 = vec4(wts[p.bOff + ob * 2]), a01 = vec4(wts[p.bOff + ob * 2 + 1]);
    vec4 a10 = a00, a11 = a01, a20 = a00, a21 = a01, a30 = a00, a31 = a01;
    const int plane = p.inW * p.inH;
    int wi = p.wOff + ob * p.inC * (KH * KW * 2);
    int base = p.inOff;
    for (int ic = 0; ic < p.inC; ++ic, base += plane) {
        for (int ky = 0; ky < KH; ++ky) {
            const int iy = iy0 + ky * DH;
            const bool rowOk = iy >= 0 && iy < p.inH;
            const int row = base + iy * p.inW;
            for (int kx = 0; kx < KW; ++kx) {
                const vec4 w0 = vec4(wts[wi]), w1 = vec4(wts[wi + 1]);
                wi += 2;
                const int x = ix0 + kx * DW;
#define TAP(j, acc0, acc1)                                                   \
                {                                                            \
                    const int xj = x + (j) * SW;                             \
                    const bool ok = rowOk && xj >= 0 && xj < p.inW;          \
                    const float v = ok ? float(src[ok ? row + xj : base]) : p.padValue; \
                    acc0 += v * w0;                                          \
                    acc1 += v * w1;                                          \
                }
                TAP(0, a00, a01) TAP(1, a10, a11) TAP(2, a20, a21) TAP(3, a30, a31)
#undef TAP
            }
        }
    }
    if (oy >= p.outH) return;
    store(ob, ox, oy, a00, a01);
    store(ob, ox + 1, oy, a10, a11);
    store(ob, ox + 2, oy, a20, a21);
    store(ob, ox + 3, oy, a30, a31);
}
