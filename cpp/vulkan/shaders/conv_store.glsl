// Writes one output pixel of an 8-channel block (activation applied; channels past outC skipped).
void store(int ob, int ox, int oy, vec4 lo, vec4 hi) {
    if (ox >= p.outW) return;
    const int outPlane = p.outW * p.outH;
    int o = p.outOff + (ob * 8) * outPlane + oy * p.outW + ox;
    const int valid = min(8, p.outC - ob * 8);
    for (int j = 0; j < valid; ++j, o += outPlane) dst[o] = sfloat(activate(j < 4 ? lo[j] : hi[j - 4]));
}
