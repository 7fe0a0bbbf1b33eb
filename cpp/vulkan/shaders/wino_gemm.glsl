// The batched GEMM of a Winograd convolution, register-tiled for software rasterisers:
// M[p][k][tile] = sum_c U[p][k][c] V[p][c][tile] for each of the alpha^2 points p (work group z).
// One invocation computes 16 tiles x 16 output channels (256 accumulators, spilled to the stack on
// lavapipe, which costs less than loads); invocations run linearly over (group of 16 tiles, block of
// 16 output channels). Per 4 input channels it loads one vec4 of V per tile and the 16 vec4s of U
// for 1024 multiply-adds: lavapipe loads storage buffers lane by lane, so loads, not arithmetic,
// bound it, and vec4 loads cost little more than scalar ones. Measured on lavapipe (process CPU per
// forward): 8 tiles per invocation take 1.13x the time of 16 on realesr-animevideov3-x4 128x128,
// 4 tiles 1.22x 8 on one 64->64 convolution. (Loading U once per subgroup and broadcasting it, as
// conv3x3.glsl does with its weights, measured 1.23x slower: the broadcasts cost more than the
// loads they save.)
// Layouts: V and M as in winograd.glsl; U[p][k / 16][c][k % 16] (c over the padded input channels,
// zeros past inC and outC), from the host's winogradWeights(). V, M and U are fp32 with either
// storage type (see wino_input.glsl); the _fp16 build of this shader is never used.
// Invocations past the end compute on clamped indices and skip the store.
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer V { vec4 v4[]; };
layout(std430, binding = 2) writeonly buffer M { vec4 m4[]; };
layout(std430, binding = 3) readonly buffer U { vec4 u4[]; };

layout(push_constant) uniform Params {
    int uOff;  // in vec4s
    int c16, k16, paddedTiles;
    int groups;  // (paddedTiles / 16) * k16 invocations do work
} p;

#define TT 16

void main() {
    const int linear = int(gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x);
    const int tileGroups = p.paddedTiles / TT;
    const int l = min(linear, p.groups - 1);
    const int kb = l / tileGroups, t0 = (l - kb * tileGroups) * TT;
    const int point = int(gl_WorkGroupID.z);
    vec4 acc[TT][4];
    [[unroll]] for (int j = 0; j < TT; ++j)
        [[unroll]] for (int q = 0; q < 4; ++q) acc[j][q] = vec4(0.0);
    int vi = (point * p.c16 * p.paddedTiles + t0) * 4;
    int ui = p.uOff + (point * p.k16 + kb) * p.c16 * 64;
    for (int cb = 0; cb < p.c16; ++cb, vi += p.paddedTiles * 4) {
        [[unroll]] for (int cq = 0; cq < 4; ++cq, ui += 16) {
            vec4 x[TT];
            [[unroll]] for (int j = 0; j < TT; ++j) x[j] = vec4(v4[vi + j * 4 + cq]);
#define W(r, q) u4[ui + (r) * 4 + (q)]
#define ROW(r) { const vec4 w0 = W(r, 0), w1 = W(r, 1), w2 = W(r, 2), w3 = W(r, 3); \
                 [[unroll]] for (int j = 0; j < TT; ++j) { \
                     acc[j][0] += x[j][r] * w0; acc[j][1] += x[j][r] * w1; \
                     acc[j][2] += x[j][r] * w2; acc[j][3] += x[j][r] * w3; } }
            ROW(0) ROW(1) ROW(2) ROW(3)
#undef ROW
#undef W
        }
    }
    if (linear >= p.groups) return;
    int mi = ((point * p.k16 + kb) * p.paddedTiles + t0) * 4;
    [[unroll]] for (int j = 0; j < TT; ++j)
        [[unroll]] for (int q = 0; q < 4; ++q) m4[mi + j * 4 + q] = acc[j][q];
}
