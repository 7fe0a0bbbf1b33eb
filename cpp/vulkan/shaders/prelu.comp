#version 450
#extension GL_GOOGLE_include_directive : require
#include "storage.glsl"
// PReLU: y = x > 0 ? x : slope[c] * x (one shared slope when p.sharedSlopeSlope != 0).
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer In { sfloat src[]; };
layout(std430, binding = 2) writeonly buffer Out { sfloat dst[]; };
layout(std430, binding = 3) readonly buffer Weights { sfloat wts[]; };
layout(push_constant) uniform Params {
    int inOff, outOff, plane, slopeOff, sharedSlope;
} p;

void main() {
    const int i = int(gl_GlobalInvocationID.x), c = int(gl_GlobalInvocationID.y);
    if (i >= p.plane) return;
    const int k = c * p.plane + i;
    const float v = float(src[p.inOff + k]);
    const float slope = float(wts[p.slopeOff + (p.sharedSlope != 0 ? 0 : c)]);
    dst[p.outOff + k] = sfloat(v > 0.0 ? v : v * slope);
}
