// The batched GEMM of a Winograd convolution, register-tiled for software rasterisers:
// M[p][k][tile] = sum_c U[p][k][c] V[p][c][tile] for each of the alpha^2 points p (work group z).
// One invocation computes 8 tiles x 16 output channels (128 accumulators); invocations run linearly
// over (group of 8 tiles, block of 16 output channels), the groups of one block padded to a multiple
// of the subgroup size so that a subgroup never straddles two blocks (it shares their U). Per 4 input channels it loads one vec4 of V
// per tile and the 16 vec4s of U: on lavapipe, which loads storage buffers lane by lane, that is
// 10 loads (lanes 0..7 load U once for the subgroup and broadcast it) per 512 multiply-adds, where
// the direct conv3x3.glsl needs 13 per 192.
// Layouts: V and M as in winograd.glsl; U[p][k / 16][c][k % 16] (c over the padded input channels,
// zeros past inC and outC), from the host's winogradWeights(). V, M and U are fp32 with either
// storage type (see wino_input.glsl); the _fp16 build of this shader is never used.
// No early return: invocations past the end compute on clamped indices and skip the store, so
// every lane takes part in the broadcasts.
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer V { vec4 v4[]; };
layout(std430, binding = 2) writeonly buffer M { vec4 m4[]; };
layout(std430, binding = 3) readonly buffer U { vec4 u4[]; };

layout(push_constant) uniform Params {
    int uOff;  // in vec4s
    int c16, k16, paddedTiles;
    int blockStride;  // invocations per block of 16 output channels: paddedTiles / 8, rounded up to the subgroup size
} p;

#define TT 8

void main() {
    const int linear = int(gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x);
    const int tileGroups = p.paddedTiles / TT;
    const int kb = min(linear / p.blockStride, p.k16 - 1), group = linear - (linear / p.blockStride) * p.blockStride;
    const bool live = linear < p.blockStride * p.k16 && group < tileGroups;
    const int t0 = min(group, tileGroups - 1) * TT;
    const int point = int(gl_WorkGroupID.z);
    vec4 acc[TT][4];
    [[unroll]] for (int j = 0; j < TT; ++j)
        [[unroll]] for (int q = 0; q < 4; ++q) acc[j][q] = vec4(0.0);
    int vi = (point * p.c16 * p.paddedTiles + t0) * 4;
    int ui = p.uOff + (point * p.k16 + kb) * p.c16 * 64;
#if SUBGROUP_WEIGHTS
    const int lane = int(gl_SubgroupInvocationID) & 7;
#endif
    for (int cb = 0; cb < p.c16; ++cb, vi += p.paddedTiles * 4) {
        [[unroll]] for (int cq = 0; cq < 4; ++cq, ui += 16) {
            vec4 x[TT];
            [[unroll]] for (int j = 0; j < TT; ++j) x[j] = vec4(v4[vi + j * 4 + cq]);
#if SUBGROUP_WEIGHTS
            const vec4 u0 = vec4(u4[ui + lane]), u1 = vec4(u4[ui + 8 + lane]);
#define W(r, q) subgroupBroadcast((r) < 2 ? u0 : u1, ((r) * 4 + (q)) & 7)
#else
#define W(r, q) vec4(u4[ui + (r) * 4 + (q)])
#endif
#define ROW(r) { const vec4 w0 = W(r, 0), w1 = W(r, 1), w2 = W(r, 2), w3 = W(r, 3); \
                 [[unroll]] for (int j = 0; j < TT; ++j) { \
                     acc[j][0] += x[j][r] * w0; acc[j][1] += x[j][r] * w1; \
                     acc[j][2] += x[j][r] * w2; acc[j][3] += x[j][r] * w3; } }
            ROW(0) ROW(1) ROW(2) ROW(3)
#undef ROW
#undef W
        }
    }
    if (!live) return;
    int mi = ((point * p.k16 + kb) * p.paddedTiles + t0) * 4;
    [[unroll]] for (int j = 0; j < TT; ++j)
        [[unroll]] for (int q = 0; q < 4; ++q) m4[mi + j * 4 + q] = acc[j][q];
}
