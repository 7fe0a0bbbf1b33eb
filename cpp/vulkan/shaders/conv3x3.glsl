// 3x3 convolution, stride 1, dilation 1 (every convolution of the Real-ESRGAN models), included by
// conv3x3.comp (weights broadcast within the subgroup), conv3x3_plain.comp (no subgroup operations)
// and conv3x3_b2/_b4.comp (more output channels per invocation, for software rasterisers).
// One invocation computes 8 horizontally adjacent output pixels for BLOCKS blocks of 8 output channels
// (work group z covers BLOCKS blocks): per input channel and kernel row it loads 10 input values and
// 24 weights per block for 192 multiply-adds per block. Weights [ic][ky][kx][8] as in conv.comp, same
// push constants. There is no early return (invocations past the edge compute on clamped rows and
// skip the store), so every lane of a subgroup is active for the broadcasts.
//
// Why BLOCKS > 1: lavapipe runs an invocation per SIMD lane and loads a storage buffer value lane by
// lane in a loop, so the loads, not the multiply-adds, bound the speed there; more blocks reuse each
// loaded input value for more channels (the accumulators spill to the stack either way, which costs
// less). GPUs keep BLOCKS = 1 (registers, occupancy). The price: lavapipe takes seconds to compile
// the 4-block shader the first time (Mesa's shader disk cache keeps it for later processes).
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

#ifndef BLOCKS
#define BLOCKS 1
#endif
// FOR_BLOCKS(EACH) expands EACH(k, X, Y) for every block k, whose accumulators are X0..X7 (channels 0-3
// of pixels 0..7) and Y0..Y7 (channels 4-7).
#if BLOCKS == 1
#define FOR_BLOCKS(EACH) EACH(0, A, B)
#elif BLOCKS == 2
#define FOR_BLOCKS(EACH) EACH(0, A, B) EACH(1, C, D)
#elif BLOCKS == 4
#define FOR_BLOCKS(EACH) EACH(0, A, B) EACH(1, C, D) EACH(2, E, F) EACH(3, G, H)
#else
#error BLOCKS must be 1, 2 or 4
#endif

void main() {
    const int ob = int(gl_WorkGroupID.z) * BLOCKS;
    const int lastBlock = (p.outC + 7) / 8 - 1;
    // Invocations run linearly over (8-pixel block, row), so an output whose width is not a multiple
    // of the work group leaves no lane idle (at 84 px, a 2D grid of 8-block rows wasted 5 lanes in 16).
    const int rowBlocks = (p.outW + 7) / 8;
    const int linear = int(gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x);
    const int ox = (linear % rowBlocks) * 8, oy = linear / rowBlocks;
    const int iy0 = min(oy, p.outH - 1) - p.padT;
    const int ix0 = ox - p.padL;
    // Blocks past the last one compute on its weights (no divergence) and skip the store.
#define DECLARE(k, X, Y) \
    const int ob##k = min(ob + k, lastBlock); \
    vec4 X##0 = vec4(wts[p.bOff + ob##k * 2]), Y##0 = vec4(wts[p.bOff + ob##k * 2 + 1]); \
    vec4 X##1 = X##0, Y##1 = Y##0, X##2 = X##0, Y##2 = Y##0, X##3 = X##0, Y##3 = Y##0, X##4 = X##0, Y##4 = Y##0; \
    vec4 X##5 = X##0, Y##5 = Y##0, X##6 = X##0, Y##6 = Y##0, X##7 = X##0, Y##7 = Y##0; \
    int wi##k = p.wOff + ob##k * p.inC * 18;
    FOR_BLOCKS(DECLARE)
#undef DECLARE
    // column validity does not depend on the channel or row
    bool cOk[10];
    for (int k = 0; k < 10; ++k) cOk[k] = ix0 + k >= 0 && ix0 + k < p.inW;
    const int plane = p.inW * p.inH;
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
#define LOAD_WEIGHTS(k, X, Y) \
            const float l##k##0 = float(wf[wi##k * 4 + lane]), l##k##1 = float(wf[wi##k * 4 + 8 + lane]), \
                        l##k##2 = float(wf[wi##k * 4 + 16 + lane]);
            FOR_BLOCKS(LOAD_WEIGHTS)
#undef LOAD_WEIGHTS
#define WEIGHTS(k, j) \
            const float w0 = subgroupBroadcast(l##k##0, j), w1 = subgroupBroadcast(l##k##1, j), w2 = subgroupBroadcast(l##k##2, j);
#else
#define WEIGHTS(k, j) const float w0 = float(wf[wi##k * 4 + j]), w1 = float(wf[wi##k * 4 + 8 + j]), w2 = float(wf[wi##k * 4 + 16 + j]);
#endif
#define CH(k, j, c0, c1, c2, c3, c4, c5, c6, c7) { WEIGHTS(k, j) \
                c0 += v[0] * w0 + v[1] * w1 + v[2] * w2; c1 += v[1] * w0 + v[2] * w1 + v[3] * w2; \
                c2 += v[2] * w0 + v[3] * w1 + v[4] * w2; c3 += v[3] * w0 + v[4] * w1 + v[5] * w2; \
                c4 += v[4] * w0 + v[5] * w1 + v[6] * w2; c5 += v[5] * w0 + v[6] * w1 + v[7] * w2; \
                c6 += v[6] * w0 + v[7] * w1 + v[8] * w2; c7 += v[7] * w0 + v[8] * w1 + v[9] * w2; }
// (the space in "X##0 .x" keeps "0.x" from pasting as one number token)
#define ACCUMULATE(k, X, Y) \
            CH(k, 0, X##0 .x, X##1 .x, X##2 .x, X##3 .x, X##4 .x, X##5 .x, X##6 .x, X##7 .x) \
            CH(k, 1, X##0 .y, X##1 .y, X##2 .y, X##3 .y, X##4 .y, X##5 .y, X##6 .y, X##7 .y) \
            CH(k, 2, X##0 .z, X##1 .z, X##2 .z, X##3 .z, X##4 .z, X##5 .z, X##6 .z, X##7 .z) \
            CH(k, 3, X##0 .w, X##1 .w, X##2 .w, X##3 .w, X##4 .w, X##5 .w, X##6 .w, X##7 .w) \
            CH(k, 4, Y##0 .x, Y##1 .x, Y##2 .x, Y##3 .x, Y##4 .x, Y##5 .x, Y##6 .x, Y##7 .x) \
            CH(k, 5, Y##0 .y, Y##1 .y, Y##2 .y, Y##3 .y, Y##4 .y, Y##5 .y, Y##6 .y, Y##7 .y) \
            CH(k, 6, Y##0 .z, Y##1 .z, Y##2 .z, Y##3 .z, Y##4 .z, Y##5 .z, Y##6 .z, Y##7 .z) \
            CH(k, 7, Y##0 .w, Y##1 .w, Y##2 .w, Y##3 .w, Y##4 .w, Y##5 .w, Y##6 .w, Y##7 .w) \
            wi##k += 6;
            FOR_BLOCKS(ACCUMULATE)
#undef ACCUMULATE
#undef CH
#undef WEIGHTS
        }
    }
    if (oy >= p.outH) return;
#define STORE(k, X, Y) \
    store(ob + k, ox, oy, X##0, Y##0); store(ob + k, ox + 1, oy, X##1, Y##1); \
    store(ob + k, ox + 2, oy, X##2, Y##2); store(ob + k, ox + 3, oy, X##3, Y##3); \
    store(ob + k, ox + 4, oy, X##4, Y##4); store(ob + k, ox + 5, oy, X##5, Y##5); \
    store(ob + k, ox + 6, oy, X##6, Y##6); store(ob + k, ox + 7, oy, X##7, Y##7);
    FOR_BLOCKS(STORE)
#undef STORE
}
