#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
// The batched GEMM of a Winograd convolution for GPUs without cooperative matrices:
// M[p] (tiles x k) = V[p] (tiles x c) * U[p] (c x k) per alpha^2 point p (work group z), tiled in
// shared memory. A work group (16 x 4 invocations) computes 64 tiles x 32 output channels; per 16
// input channels it stages V's 64 x 16 block (transposed to channel-major) and U's 16 x 32 block,
// then each invocation accumulates 4 tiles x 8 channels from them. Layouts as in winograd.glsl
// and wino_gemm.glsl; tiles are padded to a multiple of 64 (Conv3x3Choice::tileBlock). fp32 like
// the other non-cooperative GEMM (the _fp16 build of this shader is never used).
layout(local_size_x = 16, local_size_y = 4) in;
layout(std430, binding = 0) readonly buffer V { vec4 v4[]; };
layout(std430, binding = 2) writeonly buffer M { vec4 m4[]; };
layout(std430, binding = 3) readonly buffer U { vec4 u4[]; };

layout(push_constant) uniform Params {
    int uOff;  // in vec4s
    int c16, k16, paddedTiles;
} p;

shared float sV[16][64];  // [channel][tile]
shared vec4 sU[16][8];    // [channel][quad of output channels]

void main() {
    const int tx = int(gl_LocalInvocationID.x), ty = int(gl_LocalInvocationID.y);
    const int id = ty * 16 + tx;
    const int t0 = int(gl_WorkGroupID.x) * 64;
    const int kb0 = int(gl_WorkGroupID.y) * 2;
    const int point = int(gl_WorkGroupID.z);
    const bool second = kb0 + 1 < p.k16;
    const int cp = p.c16 * 16;
    vec4 acc[4][2];
    [[unroll]] for (int i = 0; i < 4; ++i) acc[i][0] = acc[i][1] = vec4(0.0);
    for (int cb = 0; cb < p.c16; ++cb) {
        // V block: 64 tiles x 4 quads of channels = 256 vec4s, 4 per invocation
        const int vBase = ((point * p.c16 + cb) * p.paddedTiles + t0) * 4;
        [[unroll]] for (int j = 0; j < 4; ++j) {
            const int idx = id + 64 * j, t = idx >> 2, cq = idx & 3;
            const vec4 x = v4[vBase + idx];
            sV[cq * 4 + 0][t] = x.x;
            sV[cq * 4 + 1][t] = x.y;
            sV[cq * 4 + 2][t] = x.z;
            sV[cq * 4 + 3][t] = x.w;
        }
        // U block: 2 blocks of 16 output channels x 16 input channels = 128 vec4s, 2 per invocation
        [[unroll]] for (int j = 0; j < 2; ++j) {
            const int idx = id + 64 * j, half_ = idx >> 6, c = (idx >> 2) & 15, q = idx & 3;
            const bool have = half_ == 0 || second;
            sU[c][half_ * 4 + q] = have ? u4[p.uOff + (((point * p.k16 + kb0 + half_) * cp + cb * 16 + c) * 4 + q)] : vec4(0.0);
        }
        barrier();
        [[unroll]] for (int c = 0; c < 16; ++c) {
            const vec4 a = vec4(sV[c][tx * 4], sV[c][tx * 4 + 1], sV[c][tx * 4 + 2], sV[c][tx * 4 + 3]);
            const vec4 b0 = sU[c][ty * 2], b1 = sU[c][ty * 2 + 1];
            [[unroll]] for (int i = 0; i < 4; ++i) {
                acc[i][0] += a[i] * b0;
                acc[i][1] += a[i] * b1;
            }
        }
        barrier();
    }
    // this invocation's 8 output channels: block kb0 + ty / 2, quads (ty % 2) * 2 + 0..1
    const int kb = kb0 + ty / 2;
    if (kb >= p.k16) return;
    const int mBase = ((point * p.k16 + kb) * p.paddedTiles + t0 + tx * 4) * 4 + (ty % 2) * 2;
    [[unroll]] for (int i = 0; i < 4; ++i) {
        m4[mBase + i * 4] = acc[i][0];
        m4[mBase + i * 4 + 1] = acc[i][1];
    }
}
