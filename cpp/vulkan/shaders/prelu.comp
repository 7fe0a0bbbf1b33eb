#version 450
// PReLU: y = x > 0 ? x : slope[c] * x (one shared slope when p.sharedSlopeSlope != 0).
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer In { float src[]; };
layout(std430, binding = 2) writeonly buffer Out { float dst[]; };
layout(std430, binding = 3) readonly buffer Weights { float wts[]; };
layout(push_constant) uniform Params {
    int inOff, outOff, plane, slopeOff, sharedSlope;
} p;

void main() {
    const int i = int(gl_GlobalInvocationID.x), c = int(gl_GlobalInvocationID.y);
    if (i >= p.plane) return;
    const int k = c * p.plane + i;
    const float v = src[p.inOff + k];
    const float slope = wts[p.slopeOff + (p.sharedSlope != 0 ? 0 : c)];
    dst[p.outOff + k] = v > 0.0 ? v : v * slope;
}
