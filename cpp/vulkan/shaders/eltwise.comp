#version 450
#extension GL_GOOGLE_include_directive : require
#include "storage.glsl"
// Eltwise of two blobs (N inputs run as a chain with out as the first operand):
// op 0 PROD a*b, 1 SUM ca*a + cb*b, 2 MAX max(a, b).
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer A { sfloat a[]; };
layout(std430, binding = 1) readonly buffer B { sfloat b[]; };
layout(std430, binding = 2) writeonly buffer Out { sfloat dst[]; };
layout(push_constant) uniform Params {
    int aOff, bOff, outOff, plane, op;
    float ca, cb;
} p;

void main() {
    const int i = int(gl_GlobalInvocationID.x), c = int(gl_GlobalInvocationID.y);
    if (i >= p.plane) return;
    const int k = c * p.plane + i;
    const float x = float(a[p.aOff + k]), y = float(b[p.bOff + k]);
    dst[p.outOff + k] = sfloat(p.op == 0 ? x * y : (p.op == 1 ? p.ca * x + p.cb * y : max(x, y)));
}
