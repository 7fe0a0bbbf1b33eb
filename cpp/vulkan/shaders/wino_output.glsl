// Winograd output transform: Y = At M A + bias, then the fused activation, into a planar (c, h, w)
// blob. One invocation handles 4 output channels of one tile; a work group covers 16 tiles x the 4
// channel quads of one 16-channel block (y), quads fastest, so its reads of each point are one
// contiguous run. Pixels past the output and channels past outC are not written.
// M is fp32 whatever the storage type (see wino_input.glsl).
layout(local_size_x = 64) in;
layout(constant_id = 1) const int ACT = 0;
layout(std430, binding = 0) readonly buffer M { vec4 m4[]; };
layout(std430, binding = 2) writeonly buffer Out { sfloat dst[]; };
layout(std430, binding = 3) readonly buffer Bias { svec4 bias4[]; };

layout(push_constant) uniform Params {
    int outOff, outW, outH, outC;
    int k16;       // output channels / 16, rounded up
    int tilesX, tiles;
    int tileBase, paddedTiles;  // this chunk: tiles tileBase.. from M's paddedTiles rows
    int biasOff;   // in vec4s
    float a0, a1;
} p;

#include "activation.glsl"
#include "winograd.glsl"

void main() {
    const int t = int(gl_GlobalInvocationID.x) >> 2, kq = int(gl_WorkGroupID.y) * 4 + int(gl_LocalInvocationID.x & 3);
    const int tile = p.tileBase + t;
    if (t >= p.paddedTiles || tile >= p.tiles || kq * 4 >= p.outC) return;
    const int ty = tile / p.tilesX, tx = tile - ty * p.tilesX;
    const int pointStride = p.k16 * p.paddedTiles * 4;
    int i = ((kq >> 2) * p.paddedTiles + t) * 4 + (kq & 3);
    vec4 tmp[4][6];  // At applied along the columns of each row of points
    [[unroll]] for (int a = 0; a < ALPHA; ++a) {
        vec4 row[6], o[4];
        [[unroll]] for (int b = 0; b < ALPHA; ++b, i += pointStride) row[b] = vec4(m4[i]);
        [[unroll]] for (int b = ALPHA; b < 6; ++b) row[b] = vec4(0.0);
        outputTransform1d(row, o);
        [[unroll]] for (int x = 0; x < WINO_M; ++x) tmp[x][a] = o[x];
    }
    const vec4 bias = kq * 4 < p.outC ? vec4(bias4[p.biasOff + kq]) : vec4(0.0);  // (bias padded to 8 only)
    const int plane = p.outW * p.outH;
    const int k0 = kq * 4;
    const int y0 = ty * WINO_M, x0 = tx * WINO_M;
    [[unroll]] for (int x = 0; x < WINO_M; ++x) {
        vec4 col[6], o[4];
        [[unroll]] for (int a = 0; a < ALPHA; ++a) col[a] = tmp[x][a];
        [[unroll]] for (int a = ALPHA; a < 6; ++a) col[a] = vec4(0.0);
        outputTransform1d(col, o);
        if (x0 + x >= p.outW) continue;
        [[unroll]] for (int y = 0; y < WINO_M; ++y) {
            if (y0 + y >= p.outH) continue;
            const int at = p.outOff + (y0 + y) * p.outW + x0 + x;
            [[unroll]] for (int k = 0; k < 4; ++k)
                if (k0 + k < p.outC) dst[at + (k0 + k) * plane] = sfloat(activate(o[y][k] + bias[k]));
        }
    }
}
