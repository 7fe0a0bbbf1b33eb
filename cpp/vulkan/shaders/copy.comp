#version 450
#extension GL_GOOGLE_include_directive : require
#include "storage.glsl"
// Copies planar channels (a Concat input that could not be written in place).
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer In { sfloat src[]; };
layout(std430, binding = 2) writeonly buffer Out { sfloat dst[]; };
layout(push_constant) uniform Params {
    int inOff, outOff, plane;
} p;

void main() {
    const int i = int(gl_GlobalInvocationID.x), c = int(gl_GlobalInvocationID.y);
    if (i >= p.plane) return;
    dst[p.outOff + c * p.plane + i] = src[p.inOff + c * p.plane + i];
}
