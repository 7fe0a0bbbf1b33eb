#version 450
#extension GL_GOOGLE_include_directive : require
#include "storage.glsl"
// PixelShuffle (C*r*r, H, W) -> (C, H*r, W*r). mode 0: out[c, y*r+i, x*r+j] = in[c*r*r + i*r + j, y, x];
// mode 1 (DCR): in[(i*r + j)*C + c, y, x].
layout(local_size_x = 16, local_size_y = 16) in;
layout(std430, binding = 0) readonly buffer In { sfloat src[]; };
layout(std430, binding = 2) writeonly buffer Out { sfloat dst[]; };
layout(push_constant) uniform Params {
    int inOff, outOff, outW, outH, outC, r, mode;
} p;

void main() {
    const int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y), c = int(gl_GlobalInvocationID.z);
    if (x >= p.outW || y >= p.outH) return;
    const int i = y % p.r, j = x % p.r;
    const int sc = p.mode == 0 ? c * p.r * p.r + i * p.r + j : (i * p.r + j) * p.outC + c;
    const int inW = p.outW / p.r, inH = p.outH / p.r;
    dst[p.outOff + (c * p.outH + y) * p.outW + x] = src[p.inOff + (sc * inH + y / p.r) * inW + x / p.r];
}
