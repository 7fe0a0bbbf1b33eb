#version 450
// Eltwise of two blobs (N inputs run as a chain with out as the first operand):
// op 0 PROD a*b, 1 SUM ca*a + cb*b, 2 MAX max(a, b).
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer Out { float dst[]; };
layout(push_constant) uniform Params {
    int aOff, bOff, outOff, plane, op;
    float ca, cb;
} p;

void main() {
    const int i = int(gl_GlobalInvocationID.x), c = int(gl_GlobalInvocationID.y);
    if (i >= p.plane) return;
    const int k = c * p.plane + i;
    const float x = a[p.aOff + k], y = b[p.bOff + k];
    dst[p.outOff + k] = p.op == 0 ? x * y : (p.op == 1 ? p.ca * x + p.cb * y : max(x, y));
}
