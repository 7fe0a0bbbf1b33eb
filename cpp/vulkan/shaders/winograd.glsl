// Winograd F(m,3) transforms (m = 2 or 4, alpha = m + 2 points per side), shared by
// wino_input*.comp and wino_output*.comp. Each works on vec4s: 4 channels of one tile at once.
//
// The transformed domain is laid out for the GEMMs (wino_gemm*.comp and the cooperative-matrix
// kernel): V[p][c / 16][tile][c % 16] and M[p][k / 16][tile][k % 16], p = row * alpha + column of
// the alpha x alpha point, channels padded with zeros to a multiple of 16 and tiles to a multiple
// of the GEMM's tile block (Conv3x3Choice::tileBlock), so that a 16 x 16 block of one point is a
// contiguous row-major matrix (tiles x channels) with stride 16. Large convolutions run in chunks of
// tiles (conv3x3_winograd.cpp), so V and M hold one chunk.
layout(constant_id = 0) const int WINO_M = 4;
const int ALPHA = WINO_M + 2;

// d (alpha values along one axis) -> Bt d
void inputTransform1d(in vec4 d[6], out vec4 r[6]) {
    if (WINO_M == 4) {
        // Bt = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
        r[0] = 4.0 * d[0] - 5.0 * d[2] + d[4];
        const vec4 t1 = d[4] - 4.0 * d[2], t2 = d[3] - 4.0 * d[1];
        r[1] = t1 + t2;
        r[2] = t1 - t2;
        const vec4 t3 = d[4] - d[2], t4 = 2.0 * (d[3] - d[1]);
        r[3] = t3 + t4;
        r[4] = t3 - t4;
        r[5] = 4.0 * d[1] - 5.0 * d[3] + d[5];
    } else {
        // Bt = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
        r[0] = d[0] - d[2];
        r[1] = d[1] + d[2];
        r[2] = d[2] - d[1];
        r[3] = d[1] - d[3];
        r[4] = vec4(0.0);
        r[5] = vec4(0.0);
    }
}

// m (alpha values along one axis) -> At m (m values)
void outputTransform1d(in vec4 m[6], out vec4 o[4]) {
    if (WINO_M == 4) {
        // At = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
        const vec4 s12 = m[1] + m[2], d12 = m[1] - m[2], s34 = m[3] + m[4], d34 = m[3] - m[4];
        o[0] = m[0] + s12 + s34;
        o[1] = d12 + 2.0 * d34;
        o[2] = s12 + 4.0 * s34;
        o[3] = d12 + 8.0 * d34 + m[5];
    } else {
        // At = [1 1 1 0; 0 1 -1 -1]
        o[0] = m[0] + m[1] + m[2];
        o[1] = m[1] - m[2] - m[3];
        o[2] = vec4(0.0);
        o[3] = vec4(0.0);
    }
}
