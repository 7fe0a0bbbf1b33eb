// 3x3 convolution, stride 1, dilation 1 (every convolution of the Real-ESRGAN models), included by
// conv3x3.comp (weights broadcast within the subgroup) and conv3x3_plain.comp (no subgroup operations).
// One invocation computes 8 horizontally adjacent output pixels for 8 output channels (the work
// group's z block): per input channel and kernel row it loads 10 input values and 24 weights for 192
// multiply-adds. Weights [ic][ky][kx][8] as in conv.comp, same push constants. There is no early
// return (invocations past the edge compute on clamped rows and skip the store), so every lane of a
// subgroup is active for the broadcasts.
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z = 1) in;
layout(constant_id = 8) const int ACT = 0;

layout(std430, binding = 0) readonly buffer In { sfloat src[]; };
layout(std430, binding = 2) writeonly buffer Out { sfloat dst[]; };
layout(std430, binding = 3) readonly buffer Weights { svec4 wts[]; };
layout(std430, binding = 3) readonly buffer WeightsF { sfloat wf[]; };

layout(push_constant) uniform Params {
    int inOff, outOff, wOff, bOff;
    int inW, inH, inC;
    int outW, outH, outC;
    int padL, padT;
    float padValue, a0, a1;
} p;

#include "activation.glsl"
#include "conv_store.glsl"

void main() {
    const int ob = int(gl_WorkGroupID.z);
    const int ox = int(gl_GlobalInvocationID.x) * 8, oy = int(gl_GlobalInvocationID.y);
    const int iy0 = min(oy, p.outH - 1) - p.padT;
    const int ix0 = ox - p.padL;
    vec4 A0 = vec4(wts[p.bOff + ob * 2]), B0 = vec4(wts[p.bOff + ob * 2 + 1]);
    vec4 A1 = A0, B1 = B0, A2 = A0, B2 = B0, A3 = A0, B3 = B0, A4 = A0, B4 = B0, A5 = A0, B5 = B0, A6 = A0, B6 = B0, A7 = A0, B7 = B0;
    // column validity does not depend on the channel or row
    bool cOk[10];
    for (int k = 0; k < 10; ++k) cOk[k] = ix0 + k >= 0 && ix0 + k < p.inW;
    const int plane = p.inW * p.inH;
    int wi = p.wOff + ob * p.inC * 18;
    int base = p.inOff;
    for (int ic = 0; ic < p.inC; ++ic, base += plane) {
        for (int ky = 0; ky < 3; ++ky) {
            const int iy = iy0 + ky;
            const bool rowOk = iy >= 0 && iy < p.inH;
            const int row = base + iy * p.inW + ix0;
            float v[10];
            for (int k = 0; k < 10; ++k) {
                const bool ok = rowOk && cOk[k];
                v[k] = ok ? float(src[ok ? row + k : base]) : p.padValue;
            }
#if SUBGROUP_WEIGHTS
            // lanes 0..7 load the 8 channels' weights of the 3 taps; the rest is broadcast from them
            const int lane = int(gl_SubgroupInvocationID) & 7;
            const float l0 = float(wf[wi * 4 + lane]), l1 = float(wf[wi * 4 + 8 + lane]), l2 = float(wf[wi * 4 + 16 + lane]);
#define WEIGHTS(j) const float w0 = subgroupBroadcast(l0, j), w1 = subgroupBroadcast(l1, j), w2 = subgroupBroadcast(l2, j);
#else
#define WEIGHTS(j) const float w0 = float(wf[wi * 4 + j]), w1 = float(wf[wi * 4 + 8 + j]), w2 = float(wf[wi * 4 + 16 + j]);
#endif
#define CH(j, c0, c1, c2, c3, c4, c5, c6, c7) { WEIGHTS(j) \
                c0 += v[0] * w0 + v[1] * w1 + v[2] * w2; c1 += v[1] * w0 + v[2] * w1 + v[3] * w2; \
                c2 += v[2] * w0 + v[3] * w1 + v[4] * w2; c3 += v[3] * w0 + v[4] * w1 + v[5] * w2; \
                c4 += v[4] * w0 + v[5] * w1 + v[6] * w2; c5 += v[5] * w0 + v[6] * w1 + v[7] * w2; \
                c6 += v[6] * w0 + v[7] * w1 + v[8] * w2; c7 += v[7] * w0 + v[8] * w1 + v[9] * w2; }
            CH(0, A0.x, A1.x, A2.x, A3.x, A4.x, A5.x, A6.x, A7.x) CH(1, A0.y, A1.y, A2.y, A3.y, A4.y, A5.y, A6.y, A7.y)
            CH(2, A0.z, A1.z, A2.z, A3.z, A4.z, A5.z, A6.z, A7.z) CH(3, A0.w, A1.w, A2.w, A3.w, A4.w, A5.w, A6.w, A7.w)
            CH(4, B0.x, B1.x, B2.x, B3.x, B4.x, B5.x, B6.x, B7.x) CH(5, B0.y, B1.y, B2.y, B3.y, B4.y, B5.y, B6.y, B7.y)
            CH(6, B0.z, B1.z, B2.z, B3.z, B4.z, B5.z, B6.z, B7.z) CH(7, B0.w, B1.w, B2.w, B3.w, B4.w, B5.w, B6.w, B7.w)
#undef CH
#undef WEIGHTS
            wi += 6;
        }
    }
    if (oy >= p.outH) return;
    store(ob, ox, oy, A0, B0);
    store(ob, ox + 1, oy, A1, B1);
    store(ob, ox + 2, oy, A2, B2);
    store(ob, ox + 3, oy, A3, B3);
    store(ob, ox + 4, oy, A4, B4);
    store(ob, ox + 5, oy, A5, B5);
    store(ob, ox + 6, oy, A6, B6);
    store(ob, ox + 7, oy, A7, B7);
}
