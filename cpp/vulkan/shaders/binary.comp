#version 450
#extension GL_GOOGLE_include_directive : require
#include "storage.glsl"
// BinaryOp: ops 0 ADD, 1 SUB, 2 MUL, 3 DIV, 4 MAX, 5 MIN, 6 POW, 7 RSUB, 8 RDIV, 9 RPOW, 10 ATAN2,
// 11 RATAN2. mode 0: same shapes; 1: b is one value per channel; 2: a is one value per channel;
// 3: b is the scalar p.s.
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer A { sfloat a[]; };
layout(std430, binding = 1) readonly buffer B { sfloat b[]; };
layout(std430, binding = 2) writeonly buffer Out { sfloat dst[]; };
layout(push_constant) uniform Params {
    int aOff, bOff, outOff, plane, op, mode;
    float s;
} p;

// std::pow semantics for what GLSL leaves undefined: negative bases with integer exponents, x^0 = 1.
float powf(float x, float y) {
    if (y == 0.0) return 1.0;
    if (x > 0.0) return pow(x, y);
    if (x == 0.0) return y > 0.0 ? 0.0 : 1.0 / 0.0;
    if (y != floor(y)) return uintBitsToFloat(0x7fc00000u);  // NaN
    const float r = pow(-x, y);
    return mod(y, 2.0) == 1.0 ? -r : r;
}

float apply(int op, float x, float y) {
    switch (op) {
        case 0: return x + y;
        case 1: return x - y;
        case 2: return x * y;
        case 3: return x / y;
        case 4: return max(x, y);
        case 5: return min(x, y);
        case 6: return powf(x, y);
        case 7: return y - x;
        case 8: return y / x;
        case 9: return powf(y, x);
        case 10: return atan(x, y);
        case 11: return atan(y, x);
    }
    return 0.0;
}

void main() {
    const int i = int(gl_GlobalInvocationID.x), c = int(gl_GlobalInvocationID.y);
    if (i >= p.plane) return;
    const int k = c * p.plane + i;
    float x, y;
    if (p.mode == 0) { x = float(a[p.aOff + k]); y = float(b[p.bOff + k]); }
    else if (p.mode == 1) { x = float(a[p.aOff + k]); y = float(b[p.bOff + c]); }
    else if (p.mode == 2) { x = float(a[p.aOff + c]); y = float(b[p.bOff + k]); }
    else { x = float(a[p.aOff + k]); y = p.s; }
    dst[p.outOff + k] = sfloat(apply(p.op, x, y));
}
