#include "cpu/winograd_avx512.h"

#include <immintrin.h>
#include <omp.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "cpu/aligned_buffer.h"

// Only the functions marked WG512 contain AVX-512 code; the file itself is compiled for the
// baseline ISA. bf16 instructions appear only in inline assembly (vcvtneps2bf16, vdpbf16ps), so no
// function needs the avx512bf16 target and the fp32 path cannot pick one up.
#define WG512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))

namespace esrgan::cpu {

namespace {

constexpr int kRows = 14;  // tiles per GEMM micro-kernel: 14 x 2 zmm accumulators + 2 B + 2 broadcasts

struct Job {
    const float* in;
    float* out;
    int h, w;
    int C, K;                 // channels of the input / output pixels
    int inPitch, outPitch;    // floats between pixels
    int Cp, Kp, panelWidth;   // C padded to 16, K padded to panelWidth (16 or 32)
    int tilesX, tiles, tb;    // tb: tiles per block, a multiple of kRows
    size_t vStride, mStride;  // elements between the alpha^2 planes of V and M
    const void* u;
    const float* bias;
    float slope;
    const float* slopes;  // per output channel (PReLU), or null for `slope`
};

// ---- 1-D transforms on 16-channel vectors --------------------------------------------------

// F(4,3): Bt = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
WG512 inline void bt4(const __m512* d, __m512* r) {
    const __m512 four = _mm512_set1_ps(4.f), five = _mm512_set1_ps(5.f), two = _mm512_set1_ps(2.f);
    r[0] = _mm512_fmadd_ps(four, d[0], _mm512_fnmadd_ps(five, d[2], d[4]));
    const __m512 t1 = _mm512_fnmadd_ps(four, d[2], d[4]);  // d4 - 4 d2
    const __m512 t2 = _mm512_fnmadd_ps(four, d[1], d[3]);  // d3 - 4 d1
    r[1] = _mm512_add_ps(t1, t2);
    r[2] = _mm512_sub_ps(t1, t2);
    const __m512 t3 = _mm512_sub_ps(d[4], d[2]);
    const __m512 t4 = _mm512_mul_ps(two, _mm512_sub_ps(d[3], d[1]));
    r[3] = _mm512_add_ps(t3, t4);
    r[4] = _mm512_sub_ps(t3, t4);
    r[5] = _mm512_fmadd_ps(four, d[1], _mm512_fnmadd_ps(five, d[3], d[5]));
}

// F(4,3): At = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
WG512 inline void at4(const __m512* m, __m512* o) {
    const __m512 s12 = _mm512_add_ps(m[1], m[2]), d12 = _mm512_sub_ps(m[1], m[2]);
    const __m512 s34 = _mm512_add_ps(m[3], m[4]), d34 = _mm512_sub_ps(m[3], m[4]);
    o[0] = _mm512_add_ps(_mm512_add_ps(m[0], s12), s34);
    o[1] = _mm512_fmadd_ps(_mm512_set1_ps(2.f), d34, d12);
    o[2] = _mm512_fmadd_ps(_mm512_set1_ps(4.f), s34, s12);
    o[3] = _mm512_add_ps(_mm512_fmadd_ps(_mm512_set1_ps(8.f), d34, d12), m[5]);
}

// F(6,3) with the points 0, 1, -1, 1/2, -1/2, 2, -2 (rows of Bt, each factored into shared sums):
// [1 0 -21/4 0 21/4 0 -1 0; 0 1 1 -17/4 -17/4 1 1 0; 0 -1 1 17/4 -17/4 -1 1 0;
//  0 1/2 1/4 -5/2 -5/4 2 1 0; 0 -1/2 1/4 5/2 -5/4 -2 1 0; 0 2 4 -5/2 -5 1/2 1 0;
//  0 -2 4 5/2 -5 -1/2 1 0; 0 -1 0 21/4 0 -21/4 0 1]
WG512 inline void bt6(const __m512* d, __m512* r) {
    const __m512 c525 = _mm512_set1_ps(5.25f), c425 = _mm512_set1_ps(4.25f), c125 = _mm512_set1_ps(1.25f);
    const __m512 c25 = _mm512_set1_ps(2.5f), c4 = _mm512_set1_ps(4.f), c2 = _mm512_set1_ps(2.f);
    const __m512 c05 = _mm512_set1_ps(0.5f), c025 = _mm512_set1_ps(0.25f);
    r[0] = _mm512_fmadd_ps(c525, _mm512_sub_ps(d[4], d[2]), _mm512_sub_ps(d[0], d[6]));
    r[7] = _mm512_fmadd_ps(c525, _mm512_sub_ps(d[3], d[5]), _mm512_sub_ps(d[7], d[1]));
    const __m512 t1 = _mm512_fnmadd_ps(c425, d[4], _mm512_add_ps(d[2], d[6]));
    const __m512 t2 = _mm512_fnmadd_ps(c425, d[3], _mm512_add_ps(d[1], d[5]));
    r[1] = _mm512_add_ps(t1, t2);
    r[2] = _mm512_sub_ps(t1, t2);
    const __m512 t3 = _mm512_fnmadd_ps(c125, d[4], _mm512_fmadd_ps(c025, d[2], d[6]));
    const __m512 t4 = _mm512_fmadd_ps(c2, d[5], _mm512_fnmadd_ps(c25, d[3], _mm512_mul_ps(c05, d[1])));
    r[3] = _mm512_add_ps(t3, t4);
    r[4] = _mm512_sub_ps(t3, t4);
    const __m512 t5 = _mm512_fmadd_ps(c4, _mm512_fnmadd_ps(c125, d[4], d[2]), d[6]);
    const __m512 t6 = _mm512_fmadd_ps(c05, d[5], _mm512_fnmadd_ps(c25, d[3], _mm512_mul_ps(c2, d[1])));
    r[5] = _mm512_add_ps(t5, t6);
    r[6] = _mm512_sub_ps(t5, t6);
}

// F(6,3): At = [1 1 1 1 1 1 1 0; 0 1 -1 2 -2 1/2 -1/2 0; 0 1 1 4 4 1/4 1/4 0;
//               0 1 -1 8 -8 1/8 -1/8 0; 0 1 1 16 16 1/16 1/16 0; 0 1 -1 32 -32 1/32 -1/32 1]
WG512 inline void at6(const __m512* m, __m512* o) {
    const __m512 a1 = _mm512_add_ps(m[1], m[2]), b1 = _mm512_sub_ps(m[1], m[2]);
    const __m512 a2 = _mm512_add_ps(m[3], m[4]), b2 = _mm512_sub_ps(m[3], m[4]);
    const __m512 a3 = _mm512_add_ps(m[5], m[6]), b3 = _mm512_sub_ps(m[5], m[6]);
    o[0] = _mm512_add_ps(_mm512_add_ps(m[0], a1), _mm512_add_ps(a2, a3));
    o[1] = _mm512_fmadd_ps(_mm512_set1_ps(2.f), b2, _mm512_fmadd_ps(_mm512_set1_ps(0.5f), b3, b1));
    o[2] = _mm512_fmadd_ps(_mm512_set1_ps(4.f), a2, _mm512_fmadd_ps(_mm512_set1_ps(0.25f), a3, a1));
    o[3] = _mm512_fmadd_ps(_mm512_set1_ps(8.f), b2, _mm512_fmadd_ps(_mm512_set1_ps(0.125f), b3, b1));
    o[4] = _mm512_fmadd_ps(_mm512_set1_ps(16.f), a2, _mm512_fmadd_ps(_mm512_set1_ps(0.0625f), a3, a1));
    o[5] = _mm512_add_ps(_mm512_fmadd_ps(_mm512_set1_ps(32.f), b2, _mm512_fmadd_ps(_mm512_set1_ps(0.03125f), b3, b1)), m[7]);
}

template <int M>
WG512 inline void bt(const __m512* d, __m512* r) {
    if constexpr (M == 4) bt4(d, r);
    else bt6(d, r);
}

template <int M>
WG512 inline void at(const __m512* m, __m512* o) {
    if constexpr (M == 4) at4(m, o);
    else at6(m, o);
}

// Rounds 16 floats to bf16 (nearest even) in the lower half of a zmm.
WG512 inline __m256i toBf16(__m512 v) {
    __m256i r;
    __asm__("vcvtneps2bf16 %1, %0" : "=v"(r) : "v"(v));
    return r;
}

// ---- input transform: V[p][tile][c] for the tiles of one block -----------------------------

// Channels c..c+15 of one tile (masked past C): the vertical pass into tmp, the horizontal pass
// into the alpha^2 planes, as fp32 or bf16.
template <int M, bool Bf16>
WG512 inline void inputGroup(const float* const* src, int c, __mmask16 mask, void* v, size_t pStride) {
    constexpr int A = M + 2;
    __m512 tmp[A][A];
    for (int j = 0; j < A; ++j) {
        __m512 d[A], r[A];
        for (int i = 0; i < A; ++i) d[i] = _mm512_maskz_loadu_ps(mask, src[i * A + j] + c);
        bt<M>(d, r);
        for (int a = 0; a < A; ++a) tmp[a][j] = r[a];
    }
    for (int a = 0; a < A; ++a) {
        __m512 r[A];
        bt<M>(tmp[a], r);
        for (int b = 0; b < A; ++b) {
            const size_t at = static_cast<size_t>(a * A + b) * pStride + c;
            if constexpr (Bf16) _mm256_store_si256(reinterpret_cast<__m256i*>(static_cast<uint16_t*>(v) + at), toBf16(r[b]));
            else _mm512_store_ps(static_cast<float*>(v) + at, r[b]);
        }
    }
}

template <int M, bool Bf16>
WG512 void inputTransform(const Job& J, int t0, int n, void* V, const float* zeros) {
    constexpr int A = M + 2;
    const float* src[2][A * A];  // this tile's pixels, the next tile's
    const float* pf[A * A];
    auto gather = [&](int t, const float** dst) {
        const int ty = t / J.tilesX, tx = t - ty * J.tilesX, y0 = ty * M - 1, x0 = tx * M - 1;
        for (int i = 0; i < A; ++i)
            for (int j = 0; j < A; ++j) {
                const int y = y0 + i, x = x0 + j;
                dst[i * A + j] = y >= 0 && y < J.h && x >= 0 && x < J.w ? J.in + (static_cast<size_t>(y) * J.w + x) * J.inPitch : zeros;
            }
    };
    gather(t0, src[0]);
    for (int i = 0; i < n; ++i) {
        const int t = t0 + i;
        const float* const* cur = src[i & 1];
        int npf = 0;
        if (t + 1 < J.tiles) {
            const float** next = src[(i + 1) & 1];
            gather(t + 1, next);
            // The next tile shares its first two columns with this one when it is on the same row.
            const bool sameRow = (t + 1) % J.tilesX != 0;
            for (int q = 0; q < A * A; ++q)
                if (next[q] != zeros && (!sameRow || q % A >= 2)) pf[npf++] = next[q];
        }
        void* vt = Bf16 ? static_cast<void*>(static_cast<uint16_t*>(V) + static_cast<size_t>(i) * J.Cp)
                        : static_cast<void*>(static_cast<float*>(V) + static_cast<size_t>(i) * J.Cp);
        // Prefetch the next tile's input along the way: the transform is otherwise bound by the
        // latency of reading an input larger than the caches.
        for (int c = 0; c < J.C; c += 16) {
            for (int q = 0; q < npf; ++q) _mm_prefetch(reinterpret_cast<const char*>(pf[q] + c), _MM_HINT_T0);
            const __mmask16 mask = J.C - c >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (J.C - c)) - 1);
            inputGroup<M, Bf16>(cur, c, mask, vt, J.vStride);
        }
    }
    // Rows up to the next multiple of kRows feed the micro-kernel but are never written out;
    // keep them finite.
    const int padded = (n + kRows - 1) / kRows * kRows;
    const size_t elem = Bf16 ? 2 : 4;
    if (padded > n)
        for (int p = 0; p < A * A; ++p)
            std::memset(static_cast<char*>(V) + (p * J.vStride + static_cast<size_t>(n) * J.Cp) * elem, 0, elem * (padded - n) * J.Cp);
}

// ---- GEMM: M[p][tile][k] = sum_c V[p][tile][c] * U[p][c][k] ----------------------------------

// kRows tiles x 32 (or 16) output channels over all input channels, in assembly so that the 28
// accumulators, 2 B vectors and 2 broadcasts stay in the 32 zmm registers. A row's 4 bytes per
// step are one fp32 input channel (vbroadcastss, vfmadd231ps) or a pair of bf16 channels
// (vpbroadcastd, vdpbf16ps); B holds 16 output channels per zmm (as pairs for bf16), so both
// advance A by 4 bytes and B by 64 bytes per zmm per step.
#define WG_A0 "(%[a0])"
#define WG_A1 "(%[a0],%[lda],1)"
#define WG_A2 "(%[a0],%[lda],2)"
#define WG_A3 "(%[a3])"
#define WG_A4 "(%[a3],%[lda],1)"
#define WG_A5 "(%[a3],%[lda],2)"
#define WG_A6 "(%[a6])"
#define WG_A7 "(%[a6],%[lda],1)"
#define WG_A8 "(%[a6],%[lda],2)"
#define WG_A9 "(%[a9])"
#define WG_A10 "(%[a9],%[lda],1)"
#define WG_A11 "(%[a9],%[lda],2)"
#define WG_A12 "(%[a12])"
#define WG_A13 "(%[a12],%[lda],1)"

#define WG_ROW2(BC, FMA, ADDR, R, A0, A1) \
    BC " " ADDR ", %%zmm" R "\n\t" FMA " %%zmm28, %%zmm" R ", %%zmm" A0 "\n\t" FMA " %%zmm29, %%zmm" R ", %%zmm" A1 "\n\t"
#define WG_ROW1(BC, FMA, ADDR, R, A0) BC " " ADDR ", %%zmm" R "\n\t" FMA " %%zmm28, %%zmm" R ", %%zmm" A0 "\n\t"

#define WG_STEP2(BC, FMA)                                                                                                     \
    "vmovaps (%[b]), %%zmm28\n\t"                                                                                             \
    "vmovaps 64(%[b]), %%zmm29\n\t" WG_ROW2(BC, FMA, WG_A0, "30", "0", "1") WG_ROW2(BC, FMA, WG_A1, "31", "2", "3")          \
        WG_ROW2(BC, FMA, WG_A2, "30", "4", "5") WG_ROW2(BC, FMA, WG_A3, "31", "6", "7") WG_ROW2(BC, FMA, WG_A4, "30", "8", "9") \
            WG_ROW2(BC, FMA, WG_A5, "31", "10", "11") WG_ROW2(BC, FMA, WG_A6, "30", "12", "13")                                \
                WG_ROW2(BC, FMA, WG_A7, "31", "14", "15") WG_ROW2(BC, FMA, WG_A8, "30", "16", "17")                            \
                    WG_ROW2(BC, FMA, WG_A9, "31", "18", "19") WG_ROW2(BC, FMA, WG_A10, "30", "20", "21")                       \
                        WG_ROW2(BC, FMA, WG_A11, "31", "22", "23") WG_ROW2(BC, FMA, WG_A12, "30", "24", "25")                  \
                            WG_ROW2(BC, FMA, WG_A13, "31", "26", "27")

#define WG_STEP1(BC, FMA)                                                                                                   \
    "vmovaps (%[b]), %%zmm28\n\t" WG_ROW1(BC, FMA, WG_A0, "30", "0") WG_ROW1(BC, FMA, WG_A1, "31", "1")                     \
        WG_ROW1(BC, FMA, WG_A2, "30", "2") WG_ROW1(BC, FMA, WG_A3, "31", "3") WG_ROW1(BC, FMA, WG_A4, "30", "4")            \
            WG_ROW1(BC, FMA, WG_A5, "31", "5") WG_ROW1(BC, FMA, WG_A6, "30", "6") WG_ROW1(BC, FMA, WG_A7, "31", "7")        \
                WG_ROW1(BC, FMA, WG_A8, "30", "8") WG_ROW1(BC, FMA, WG_A9, "31", "9") WG_ROW1(BC, FMA, WG_A10, "30", "10") \
                    WG_ROW1(BC, FMA, WG_A11, "31", "11") WG_ROW1(BC, FMA, WG_A12, "30", "12") WG_ROW1(BC, FMA, WG_A13, "31", "13")

#define WG_ZERO(N) "vpxord %%zmm" N ", %%zmm" N ", %%zmm" N "\n\t"
#define WG_ZERO14 \
    WG_ZERO("0") WG_ZERO("1") WG_ZERO("2") WG_ZERO("3") WG_ZERO("4") WG_ZERO("5") WG_ZERO("6") WG_ZERO("7") WG_ZERO("8") WG_ZERO("9") \
        WG_ZERO("10") WG_ZERO("11") WG_ZERO("12") WG_ZERO("13")
#define WG_ZERO28                                                                                                                     \
    WG_ZERO14 WG_ZERO("14") WG_ZERO("15") WG_ZERO("16") WG_ZERO("17") WG_ZERO("18") WG_ZERO("19") WG_ZERO("20") WG_ZERO("21") \
        WG_ZERO("22") WG_ZERO("23") WG_ZERO("24") WG_ZERO("25") WG_ZERO("26") WG_ZERO("27")

#define WG_STORE2(A0, A1) "vmovaps %%zmm" A0 ", (%[c])\n\tvmovaps %%zmm" A1 ", 64(%[c])\n\tadd %[ldc], %[c]\n\t"
#define WG_STORE1(A0) "vmovaps %%zmm" A0 ", (%[c])\n\tadd %[ldc], %[c]\n\t"
#define WG_STORES2                                                                                                                    \
    WG_STORE2("0", "1") WG_STORE2("2", "3") WG_STORE2("4", "5") WG_STORE2("6", "7") WG_STORE2("8", "9") WG_STORE2("10", "11")      \
        WG_STORE2("12", "13") WG_STORE2("14", "15") WG_STORE2("16", "17") WG_STORE2("18", "19") WG_STORE2("20", "21")              \
            WG_STORE2("22", "23") WG_STORE2("24", "25") WG_STORE2("26", "27")
#define WG_STORES1                                                                                                                   \
    WG_STORE1("0") WG_STORE1("1") WG_STORE1("2") WG_STORE1("3") WG_STORE1("4") WG_STORE1("5") WG_STORE1("6") WG_STORE1("7")      \
        WG_STORE1("8") WG_STORE1("9") WG_STORE1("10") WG_STORE1("11") WG_STORE1("12") WG_STORE1("13")

#define WG_KERNEL(ZERO, STEP, STORES, BSTEP)                                                                             \
    const char* a0 = static_cast<const char*>(a);                                                                        \
    const char *a3 = a0 + 3 * lda, *a6 = a0 + 6 * lda, *a9 = a0 + 9 * lda, *a12 = a0 + 12 * lda;                         \
    __asm__ volatile(ZERO ".p2align 5\n\t"                                                                               \
                     "1:\n\t" STEP "add $4, %[a0]\n\t"                                                                  \
                     "add $4, %[a3]\n\t"                                                                                \
                     "add $4, %[a6]\n\t"                                                                                \
                     "add $4, %[a9]\n\t"                                                                                \
                     "add $4, %[a12]\n\t"                                                                               \
                     "add $" BSTEP ", %[b]\n\t"                                                                         \
                     "dec %[k]\n\t"                                                                                     \
                     "jnz 1b\n\t" STORES                                                                                \
                     : [a0] "+r"(a0), [a3] "+r"(a3), [a6] "+r"(a6), [a9] "+r"(a9), [a12] "+r"(a12), [b] "+r"(b), [c] "+r"(c), \
                       [k] "+r"(steps)                                                                                  \
                     : [lda] "r"(lda), [ldc] "r"(ldc)                                                                   \
                     : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", \
                       "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21",   \
                       "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31")

// a: kRows rows lda bytes apart; b: steps x (16 or 32 lanes), 64-byte aligned; c: kRows rows of
// 16 or 32 floats, ldc bytes apart, 64-byte aligned. steps >= 1.
WG512 void gemmFp32x32(const void* a, size_t lda, const void* b, float* c, size_t ldc, size_t steps) {
    WG_KERNEL(WG_ZERO28, WG_STEP2("vbroadcastss", "vfmadd231ps"), WG_STORES2, "128");
}
WG512 void gemmFp32x16(const void* a, size_t lda, const void* b, float* c, size_t ldc, size_t steps) {
    WG_KERNEL(WG_ZERO14, WG_STEP1("vbroadcastss", "vfmadd231ps"), WG_STORES1, "64");
}
WG512 void gemmBf16x32(const void* a, size_t lda, const void* b, float* c, size_t ldc, size_t steps) {
    WG_KERNEL(WG_ZERO28, WG_STEP2("vpbroadcastd", "vdpbf16ps"), WG_STORES2, "128");
}
WG512 void gemmBf16x16(const void* a, size_t lda, const void* b, float* c, size_t ldc, size_t steps) {
    WG_KERNEL(WG_ZERO14, WG_STEP1("vpbroadcastd", "vdpbf16ps"), WG_STORES1, "64");
}

template <int M, bool Bf16>
WG512 void multiply(const Job& J, int n, const void* V, float* Mb) {
    constexpr int A = M + 2;
    const size_t elem = Bf16 ? 2 : 4;
    const int panels = J.Kp / J.panelWidth, rowBlocks = (n + kRows - 1) / kRows;
    const size_t lda = J.Cp * elem, ldc = J.Kp * sizeof(float);
    const size_t steps = Bf16 ? J.Cp / 2 : J.Cp;
    const size_t panelBytes = static_cast<size_t>(J.Cp) * J.panelWidth * elem;
    const bool wide = J.panelWidth == 32;
    for (int p = 0; p < A * A; ++p) {
        const char* vp = static_cast<const char*>(V) + p * J.vStride * elem;
        float* mp = Mb + p * J.mStride;
        for (int j = 0; j < panels; ++j) {
            const char* up = static_cast<const char*>(J.u) + (static_cast<size_t>(p) * panels + j) * panelBytes;
            for (int rb = 0; rb < rowBlocks; ++rb) {
                const char* a = vp + static_cast<size_t>(rb) * kRows * lda;
                float* c = mp + static_cast<size_t>(rb) * kRows * J.Kp + j * J.panelWidth;
                if (Bf16) (wide ? gemmBf16x32 : gemmBf16x16)(a, lda, up, c, ldc, steps);
                else (wide ? gemmFp32x32 : gemmFp32x16)(a, lda, up, c, ldc, steps);
            }
        }
    }
}

// ---- output transform + bias + activation --------------------------------------------------

template <int M, bool Leaky>
WG512 void outputTransform(const Job& J, int t0, int n, const float* Mb) {
    constexpr int A = M + 2;
    const __m512 slope = _mm512_set1_ps(J.slope), zero = _mm512_setzero_ps();
    for (int i = 0; i < n; ++i) {
        const int t = t0 + i, ty = t / J.tilesX, tx = t - ty * J.tilesX;
        const int y0 = ty * M, x0 = tx * M;
        const int rows = J.h - y0 < M ? J.h - y0 : M, cols = J.w - x0 < M ? J.w - x0 : M;
        const float* mt = Mb + static_cast<size_t>(i) * J.Kp;
        if (i + 1 < n) {
            // Fetch the next tile's output lines ahead of the stores, which otherwise wait for
            // each line to arrive from memory.
            const int nt = t + 1, ny = nt / J.tilesX, nx = nt - ny * J.tilesX;
            const int nrows = J.h - ny * M < M ? J.h - ny * M : M, ncols = J.w - nx * M < M ? J.w - nx * M : M;
            for (int r = 0; r < nrows; ++r)
                for (int q = 0; q < ncols; ++q) {
                    const char* px = reinterpret_cast<const char*>(J.out + (static_cast<size_t>(ny * M + r) * J.w + nx * M + q) * J.outPitch);
                    for (int b = 0; b < J.K * 4; b += 64) _mm_prefetch(px + b, _MM_HINT_T0);
                }
        }
        for (int k = 0; k < J.K; k += 16) {
            const __mmask16 mask = J.K - k >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (J.K - k)) - 1);
            const __m512 bias = _mm512_load_ps(J.bias + k);
            const __m512 kSlope = J.slopes ? _mm512_maskz_loadu_ps(mask, J.slopes + k) : slope;
            __m512 tmp[M][A];
            for (int b = 0; b < A; ++b) {
                __m512 col[A], o[M];
                for (int a = 0; a < A; ++a) col[a] = _mm512_load_ps(mt + (a * A + b) * J.mStride + k);
                at<M>(col, o);
                for (int r = 0; r < M; ++r) tmp[r][b] = o[r];
            }
            for (int r = 0; r < rows; ++r) {
                __m512 o[M];
                at<M>(tmp[r], o);
                float* dst = J.out + (static_cast<size_t>(y0 + r) * J.w + x0) * J.outPitch + k;
                for (int q = 0; q < cols; ++q) {
                    __m512 v = _mm512_add_ps(o[q], bias);
                    if (Leaky) v = _mm512_mask_mul_ps(v, _mm512_cmp_ps_mask(v, zero, _CMP_LT_OQ), v, kSlope);
                    _mm512_mask_storeu_ps(dst + static_cast<size_t>(q) * J.outPitch, mask, v);
                }
            }
        }
    }
}

template <int M, bool Bf16>
WG512 void processBlock(const Job& J, bool leaky, int t0, int n, void* V, float* Mb, const float* zeros) {
    inputTransform<M, Bf16>(J, t0, n, V, zeros);
    multiply<M, Bf16>(J, n, V, Mb);
    if (leaky) outputTransform<M, true>(J, t0, n, Mb);
    else outputTransform<M, false>(J, t0, n, Mb);
}

// ---- weights: U = G g Gt per (output, input) channel pair, in double -------------------------

const double kG4[6][3] = {{1.0 / 4, 0, 0},          {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                          {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};
const double kG6[8][3] = {{1, 0, 0},
                          {-2.0 / 9, -2.0 / 9, -2.0 / 9},
                          {-2.0 / 9, 2.0 / 9, -2.0 / 9},
                          {1.0 / 90, 1.0 / 45, 2.0 / 45},
                          {1.0 / 90, -1.0 / 45, 2.0 / 45},
                          {32.0 / 45, 16.0 / 45, 8.0 / 45},
                          {32.0 / 45, -16.0 / 45, 8.0 / 45},
                          {0, 0, 1}};

// (G g Gt)[p] of output channel k, input channel c (zero outside the real channels).
void transformOne(int m, const float* weights, int inC, int outC, int k, int c, double* u) {
    const int A = m + 2;
    const double(*G)[3] = m == 4 ? kG4 : kG6;
    double g[9] = {};
    if (k < outC && c < inC)
        for (int e = 0; e < 9; ++e) g[e] = weights[(static_cast<size_t>(k) * inC + c) * 9 + e];
    double gg[8][3];
    for (int a = 0; a < A; ++a)
        for (int x = 0; x < 3; ++x) gg[a][x] = G[a][0] * g[x] + G[a][1] * g[3 + x] + G[a][2] * g[6 + x];
    for (int a = 0; a < A; ++a)
        for (int b = 0; b < A; ++b) u[a * A + b] = gg[a][0] * G[b][0] + gg[a][1] * G[b][1] + gg[a][2] * G[b][2];
}

uint16_t bf16Nearest(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    bits += 0x7fff + ((bits >> 16) & 1);
    return static_cast<uint16_t>(bits >> 16);
}

// Tiles per block: a multiple of kRows, sized so the block's V and M (alpha^2 * tb * (C + K)
// elements) stay in L2 next to the streamed weights.
int blockTiles(int m, int Cp, int Kp, bool bf16) {
    const int A = m + 2;
    const long bytesPerTile = static_cast<long>(A) * A * (Cp * (bf16 ? 2 : 4) + Kp * 4);
    static const long budget = [] {
        const char* env = std::getenv("MC_WG512_BLOCK_KB");
        return (env ? std::atol(env) : 256) * 1024;
    }();
    int tb = static_cast<int>(budget / bytesPerTile) / kRows * kRows;
    if (tb < kRows) tb = kRows;
    if (tb > 4 * kRows) tb = 4 * kRows;
    return tb;
}

class WinogradAvx512 final : public Conv3x3Kernel {
public:
    WinogradAvx512(int m, Precision gemm, int inC, int outC, const float* weights, const float* bias)
        : m_(m), bf16_(gemm == Precision::Bf16), inC_(inC), outC_(outC) {
        const int A = m + 2;
        Cp_ = (inC + 15) / 16 * 16;
        panelWidth_ = outC > 16 ? 32 : 16;
        Kp_ = (outC + panelWidth_ - 1) / panelWidth_ * panelWidth_;
        const int panels = Kp_ / panelWidth_;
        const size_t elem = bf16_ ? 2 : 4;
        const size_t planeElems = static_cast<size_t>(Cp_) * Kp_;
        u_ = AlignedBuffer(A * A * planeElems * elem, HugePages::Never);
        // fp32: [p][panel][c][panelWidth]; bf16: [p][panel][c/2][panelWidth][2] (pairs of input
        // channels side by side, as vdpbf16ps multiplies them).
#pragma omp parallel for schedule(static)
        for (int kc = 0; kc < Kp_ * Cp_; ++kc) {
            const int k = kc / Cp_, c = kc % Cp_, j = k / panelWidth_, kk = k % panelWidth_;
            double u[64];
            transformOne(m, weights, inC, outC, k, c, u);
            for (int p = 0; p < A * A; ++p) {
                const size_t panel = (static_cast<size_t>(p) * panels + j) * Cp_ * panelWidth_;
                if (bf16_)
                    u_.as<uint16_t>()[panel + (static_cast<size_t>(c / 2) * panelWidth_ + kk) * 2 + c % 2] =
                        bf16Nearest(static_cast<float>(u[p]));
                else
                    u_.as<float>()[panel + static_cast<size_t>(c) * panelWidth_ + kk] = static_cast<float>(u[p]);
            }
        }
        bias_ = AlignedBuffer(Kp_ * sizeof(float), HugePages::Never);
        std::memset(bias_.data(), 0, Kp_ * sizeof(float));
        if (bias) std::memcpy(bias_.data(), bias, sizeof(float) * outC);
    }

    void run(const float* in, int inPitch, int h, int w, float* out, int outPitch, bool leaky, float slope) const override {
        execute(in, inPitch, h, w, out, outPitch, leaky, slope, nullptr);
    }

    void runPrelu(const float* in, int inPitch, int h, int w, float* out, int outPitch, const float* slopes) const override {
        execute(in, inPitch, h, w, out, outPitch, true, 0.f, slopes);
    }

    std::string describe() const override {
        return "Winograd F(" + std::to_string(m_) + ",3) " + (bf16_ ? "avx512_bf16 bf16" : "avx512 fp32");
    }

private:
    void execute(const float* in, int inPitch, int h, int w, float* out, int outPitch, bool leaky, float slope, const float* slopes) const {
        Job J;
        J.in = in;
        J.out = out;
        J.h = h;
        J.w = w;
        J.C = inC_;
        J.K = outC_;
        J.inPitch = inPitch;
        J.outPitch = outPitch;
        J.Cp = Cp_;
        J.Kp = Kp_;
        J.panelWidth = panelWidth_;
        J.tilesX = (w + m_ - 1) / m_;
        J.tiles = J.tilesX * ((h + m_ - 1) / m_);
        J.tb = blockTiles(m_, Cp_, Kp_, bf16_);
        J.u = u_.data();
        J.bias = bias_.as<float>();
        J.slope = slope;
        J.slopes = slopes;
        const int A = m_ + 2;
        const int blocks = (J.tiles + J.tb - 1) / J.tb;
        const int threads = blocks < omp_get_max_threads() ? blocks : omp_get_max_threads();

        // Per-thread scratch: V (alpha^2 planes of tb x Cp), M (alpha^2 planes of tb x Kp), then
        // Cp zeros standing for the padding. One extra cache line per plane keeps the planes,
        // which the transforms touch together, from mapping onto a few L1 sets.
        const size_t elem = bf16_ ? 2 : 4;
        J.vStride = static_cast<size_t>(J.tb) * Cp_ + 64 / elem;
        J.mStride = static_cast<size_t>(J.tb) * Kp_ + 16;
        const size_t vBytes = (A * A * J.vStride * elem + 63) / 64 * 64;
        const size_t perThread = vBytes + A * A * J.mStride * sizeof(float);
        AlignedBuffer scratch(perThread * threads + Cp_ * sizeof(float), HugePages::Never);
        char* base = scratch.as<char>();
        float* zeros = reinterpret_cast<float*>(base + perThread * threads);
        std::memset(zeros, 0, sizeof(float) * Cp_);
        const int m = m_;
        const bool bf16 = bf16_;

#pragma omp parallel for schedule(dynamic) num_threads(threads)
        for (int b = 0; b < blocks; ++b) {
            char* mine = base + perThread * omp_get_thread_num();
            float* Mb = reinterpret_cast<float*>(mine + vBytes);
            const int t0 = b * J.tb, n = J.tiles - t0 < J.tb ? J.tiles - t0 : J.tb;
            if (m == 4) (bf16 ? processBlock<4, true> : processBlock<4, false>)(J, leaky, t0, n, mine, Mb, zeros);
            else (bf16 ? processBlock<6, true> : processBlock<6, false>)(J, leaky, t0, n, mine, Mb, zeros);
        }
    }

    int m_;
    bool bf16_;
    int inC_, outC_, Cp_ = 0, Kp_ = 0, panelWidth_ = 0;
    AlignedBuffer u_, bias_;
};

}  // namespace

std::unique_ptr<Conv3x3Kernel> makeWinogradAvx512(int m, Precision gemm, int inC, int outC, const float* weightsOIHW,
                                                  const float* bias) {
    if (m != 4 && m != 6) throw std::invalid_argument("Winograd AVX-512: m must be 4 or 6, not " + std::to_string(m));
    if (inC < 1 || outC < 1) throw std::invalid_argument("Winograd AVX-512: channel counts must be positive");
    const Isa needed = gemm == Precision::Bf16 ? Isa::Avx512Bf16 : Isa::Avx512;
    if (!isaAvailable(needed))
        throw std::invalid_argument(std::string("Winograd AVX-512: this CPU lacks ") + isaName(needed));
    return std::make_unique<WinogradAvx512>(m, gemm, inC, outC, weightsOIHW, bias);
}

}  // namespace esrgan::cpu
