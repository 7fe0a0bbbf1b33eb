#version 450
#extension GL_GOOGLE_include_directive : require
#include "storage.glsl"
// Interp (nearest / bilinear / bicubic) with separable taps computed on the host exactly as the
// CPU path computes them: binding 1 holds, per output row then per output column, `taps` pairs of
// (source index as int bits, weight).
layout(local_size_x = 16, local_size_y = 16) in;
layout(std430, binding = 0) readonly buffer In { sfloat src[]; };
layout(std430, binding = 1) readonly buffer Taps { float taps[]; };
layout(std430, binding = 2) writeonly buffer Out { sfloat dst[]; };
layout(push_constant) uniform Params {
    int inOff, outOff, inW, inH, outW, outH, tapsY, tapsX, yOff, xOff;
} p;

void main() {
    const int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y), c = int(gl_GlobalInvocationID.z);
    if (x >= p.outW || y >= p.outH) return;
    const int base = p.inOff + c * p.inW * p.inH;
    float acc = 0.0;
    for (int ky = 0; ky < p.tapsY; ++ky) {
        const int ty = p.yOff + (y * p.tapsY + ky) * 2;
        const int sy = floatBitsToInt(taps[ty]);
        const float wy = taps[ty + 1];
        for (int kx = 0; kx < p.tapsX; ++kx) {
            const int tx = p.xOff + (x * p.tapsX + kx) * 2;
            acc += (wy * taps[tx + 1]) * float(src[base + sy * p.inW + floatBitsToInt(taps[tx])]);
        }
    }
    dst[p.outOff + (c * p.outH + y) * p.outW + x] = sfloat(acc);
}
