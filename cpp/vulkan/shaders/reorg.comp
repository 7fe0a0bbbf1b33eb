#version 450
#extension GL_GOOGLE_include_directive : require
#include "storage.glsl"
// Reorg (C, H, W) -> (C*s*s, H/s, W/s). mode 0: out[c*s*s + i*s + j, y, x] = in[c, y*s+i, x*s+j];
// mode 1: out channel (i*s + j)*C + c.
layout(local_size_x = 16, local_size_y = 16) in;
layout(std430, binding = 0) readonly buffer In { sfloat src[]; };
layout(std430, binding = 2) writeonly buffer Out { sfloat dst[]; };
layout(push_constant) uniform Params {
    int inOff, outOff, outW, outH, inC, s, mode;
} p;

void main() {
    const int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y), oc = int(gl_GlobalInvocationID.z);
    if (x >= p.outW || y >= p.outH) return;
    const int ss = p.s * p.s;
    int c, i, j;
    if (p.mode == 0) { c = oc / ss; i = (oc % ss) / p.s; j = oc % p.s; }
    else { c = oc % p.inC; i = (oc / p.inC) / p.s; j = (oc / p.inC) % p.s; }
    const int inW = p.outW * p.s, inH = p.outH * p.s;
    dst[p.outOff + (oc * p.outH + y) * p.outW + x] = src[p.inOff + (c * inH + y * p.s + i) * inW + x * p.s + j];
}
