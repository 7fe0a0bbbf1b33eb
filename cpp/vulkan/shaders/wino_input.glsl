// Winograd input transform: V = Bt d B for every tile and channel of a planar (c, h, w) blob, where
// d is the alpha x alpha input window of the tile (padValue outside the input). One invocation
// transforms 4 channels of one tile and writes alpha^2 vec4s; a work group covers 16 tiles x the 4
// channel quads of one 16-channel block (y), quads fastest, so that its writes to each point are
// one contiguous run (coalesced on GPUs). Tiles past the last one and channels past inC get zeros.
// Included by wino_input.comp (fp32 V) and wino_input_h.comp (fp16 V, the A operand of the
// cooperative-matrix GEMM). V stays fp32 with fp16 storage: fp16 V and M put errors of 1 % of the
// output range into F(4,3) (its transforms scale values by up to 25 before they are rounded).
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer In { sfloat src[]; };
layout(std430, binding = 2) writeonly buffer V { VEC4_T v4[]; };

layout(push_constant) uniform Params {
    int inOff, inW, inH, inC;
    int c16;       // input channels / 16, rounded up
    int tilesX, tiles;
    int tileBase, paddedTiles;  // this chunk: tiles tileBase.. into V's paddedTiles rows
    int padL, padT;
    float padValue;
} p;

#include "winograd.glsl"

void main() {
    const int t = int(gl_GlobalInvocationID.x) >> 2, cq = int(gl_WorkGroupID.y) * 4 + int(gl_LocalInvocationID.x & 3);
    if (t >= p.paddedTiles) return;
    const int c0 = cq * 4;
    const int tile = p.tileBase + t;
    const int ty = tile / p.tilesX, tx = tile - ty * p.tilesX;
    const int y0 = ty * WINO_M - p.padT, x0 = tx * WINO_M - p.padL;
    const bool live = tile < p.tiles;
    const int plane = p.inW * p.inH;
    vec4 d[6][6];
    [[unroll]] for (int i = 0; i < ALPHA; ++i) {
        const int y = y0 + i;
        const bool rowOk = y >= 0 && y < p.inH;
        [[unroll]] for (int j = 0; j < ALPHA; ++j) {
            const int x = x0 + j;
            const bool ok = rowOk && x >= 0 && x < p.inW;
            const int at = p.inOff + y * p.inW + x;
            vec4 v;
            [[unroll]] for (int k = 0; k < 4; ++k) {
                const int c = c0 + k;
                v[k] = !live || c >= p.inC ? 0.0 : ok ? float(src[at + c * plane]) : p.padValue;
            }
            d[i][j] = v;
        }
    }
    // columns, then rows
    vec4 tmp[6][6];
    [[unroll]] for (int j = 0; j < ALPHA; ++j) {
        vec4 col[6], r[6];
        [[unroll]] for (int i = 0; i < ALPHA; ++i) col[i] = d[i][j];
        [[unroll]] for (int i = ALPHA; i < 6; ++i) col[i] = vec4(0.0);
        inputTransform1d(col, r);
        [[unroll]] for (int a = 0; a < ALPHA; ++a) tmp[a][j] = r[a];
    }
    const int pointStride = p.c16 * p.paddedTiles * 4;  // vec4s from one point to the next
    int o = ((cq >> 2) * p.paddedTiles + t) * 4 + (cq & 3);
    [[unroll]] for (int a = 0; a < ALPHA; ++a) {
        vec4 row[6], r[6];
        [[unroll]] for (int j = 0; j < ALPHA; ++j) row[j] = tmp[a][j];
        [[unroll]] for (int j = ALPHA; j < 6; ++j) row[j] = vec4(0.0);
        inputTransform1d(row, r);
        [[unroll]] for (int b = 0; b < ALPHA; ++b, o += pointStride) v4[o] = VEC4_T(r[b]);
    }
}
