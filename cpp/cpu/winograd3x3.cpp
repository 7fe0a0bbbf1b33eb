#include "cpu/winograd3x3.h"

#include <immintrin.h>
#include <omp.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>

// Only the functions marked WG_AVX2 contain AVX2/FMA code; the file itself is compiled for the
// baseline ISA, so nothing here (or any inline function it instantiates) executes AVX2 unless
// cpuSupported() said yes. The AVX2 functions are all static and use no library templates.
#define WG_AVX2 __attribute__((target("avx2,fma")))

namespace esrgan {
namespace winograd {

namespace {

constexpr int kPanel = 16;  // output channels per GEMM panel (two ymm)
constexpr int kRows = 6;    // tiles per GEMM micro-kernel (broadcast rows)

struct Job {
    const float* in;
    float* out;
    int h, w;
    int C, K;    // channels of the input / output pixels
    int inPitch; // floats between input pixels (>= C)
    int outPitch; // floats between output pixels (>= K)
    int Cp, Kp;  // padded to multiples of 8 / kPanel inside the transformed domain
    int tilesX, tiles, tb;  // tb: tiles per block, a multiple of kRows
    size_t vStride, mStride;  // floats between the alpha^2 planes of V and M (padded, see run)
    const float* u;
    const float* bias;
    float slope;
    const float* slopes;  // per output channel (PReLU), or null for `slope`
};

// ---- 1-D transforms on 8-channel vectors -------------------------------------------------

// F(4,3): Bt = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
WG_AVX2 inline void bt4(const __m256* d, __m256* r) {
    const __m256 four = _mm256_set1_ps(4.f), five = _mm256_set1_ps(5.f), two = _mm256_set1_ps(2.f);
    r[0] = _mm256_fmadd_ps(four, d[0], _mm256_fnmadd_ps(five, d[2], d[4]));
    __m256 t1 = _mm256_fnmadd_ps(four, d[2], d[4]);  // d4 - 4 d2
    __m256 t2 = _mm256_fnmadd_ps(four, d[1], d[3]);  // d3 - 4 d1
    r[1] = _mm256_add_ps(t1, t2);
    r[2] = _mm256_sub_ps(t1, t2);
    __m256 t3 = _mm256_sub_ps(d[4], d[2]);
    __m256 t4 = _mm256_mul_ps(two, _mm256_sub_ps(d[3], d[1]));
    r[3] = _mm256_add_ps(t3, t4);
    r[4] = _mm256_sub_ps(t3, t4);
    r[5] = _mm256_fmadd_ps(four, d[1], _mm256_fnmadd_ps(five, d[3], d[5]));
}

// F(4,3): At = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
WG_AVX2 inline void at4(const __m256* m, __m256* o) {
    __m256 s12 = _mm256_add_ps(m[1], m[2]), d12 = _mm256_sub_ps(m[1], m[2]);
    __m256 s34 = _mm256_add_ps(m[3], m[4]), d34 = _mm256_sub_ps(m[3], m[4]);
    o[0] = _mm256_add_ps(_mm256_add_ps(m[0], s12), s34);
    o[1] = _mm256_fmadd_ps(_mm256_set1_ps(2.f), d34, d12);
    o[2] = _mm256_fmadd_ps(_mm256_set1_ps(4.f), s34, s12);
    o[3] = _mm256_add_ps(_mm256_fmadd_ps(_mm256_set1_ps(8.f), d34, d12), m[5]);
}

// F(2,3): Bt = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
WG_AVX2 inline void bt2(const __m256* d, __m256* r) {
    r[0] = _mm256_sub_ps(d[0], d[2]);
    r[1] = _mm256_add_ps(d[1], d[2]);
    r[2] = _mm256_sub_ps(d[2], d[1]);
    r[3] = _mm256_sub_ps(d[1], d[3]);
}

// F(2,3): At = [1 1 1 0; 0 1 -1 -1]
WG_AVX2 inline void at2(const __m256* m, __m256* o) {
    o[0] = _mm256_add_ps(_mm256_add_ps(m[0], m[1]), m[2]);
    o[1] = _mm256_sub_ps(_mm256_sub_ps(m[1], m[2]), m[3]);
}

template <int M>
WG_AVX2 inline void bt(const __m256* d, __m256* r) {
    if (M == 4) bt4(d, r);
    else bt2(d, r);
}

template <int M>
WG_AVX2 inline void at(const __m256* m, __m256* o) {
    if (M == 4) at4(m, o);
    else at2(m, o);
}

// ---- input transform: V[p][tile][c] for the tiles of one block -----------------------------

// Channels c..c+7 of one tile (the last group of a channel count that is not a multiple of 8
// loads under a mask): the vertical pass into tmp, the horizontal pass into the alpha^2 planes.
template <int M, bool Masked>
WG_AVX2 inline void inputGroup(const float* const* src, int c, __m256i mask, float* v, size_t pStride) {
    constexpr int A = M + 2;
    __m256 tmp[A][A];
    for (int j = 0; j < A; ++j) {
        __m256 d[A], r[A];
        for (int i = 0; i < A; ++i) d[i] = Masked ? _mm256_maskload_ps(src[i * A + j] + c, mask) : _mm256_loadu_ps(src[i * A + j] + c);
        bt<M>(d, r);
        for (int a = 0; a < A; ++a) tmp[a][j] = r[a];
    }
    for (int a = 0; a < A; ++a) {
        __m256 r[A];
        bt<M>(tmp[a], r);
        for (int b = 0; b < A; ++b, v += pStride) _mm256_store_ps(v, r[b]);
    }
}

// One tile: src[i * alpha + j] points at channel 0 of input pixel (y0 + i, x0 + j), or at zeros
// for the padding. pf: channel 0 of the pixels the next tile reads first; their cache lines are
// prefetched along the way, since the transform is otherwise bound by the latency of reading an
// input larger than the caches.
template <int M>
WG_AVX2 inline void inputTile(const float* const* src, int C, __m256i tailMask, float* vt, size_t pStride, const float* const* pf,
                              int npf) {
    const int full = C & ~7;
    for (int c = 0; c < full; c += 8) {
        if ((c & 15) == 0)
            for (int q = 0; q < npf; ++q) _mm_prefetch(reinterpret_cast<const char*>(pf[q] + c), _MM_HINT_T0);
        inputGroup<M, false>(src, c, tailMask, vt + c, pStride);
    }
    if (full < C) {
        for (int q = 0; q < npf; ++q) _mm_prefetch(reinterpret_cast<const char*>(pf[q] + full), _MM_HINT_T0);
        inputGroup<M, true>(src, full, tailMask, vt + full, pStride);
    }
}

template <int M>
WG_AVX2 void inputTransform(const Job& J, int t0, int n, float* V, const float* zeros) {
    constexpr int A = M + 2;
    const size_t pStride = J.vStride;
    const __m256i tailMask = _mm256_cmpgt_epi32(_mm256_set1_epi32(J.C & 7), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
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
        inputTile<M>(cur, J.C, tailMask, V + static_cast<size_t>(i) * J.Cp, pStride, pf, npf);
    }
    // Rows up to the next multiple of kRows feed the micro-kernel but are never written out;
    // keep them finite.
    const int padded = (n + kRows - 1) / kRows * kRows;
    if (padded > n)
        for (int p = 0; p < A * A; ++p)
            std::memset(V + p * pStride + static_cast<size_t>(n) * J.Cp, 0, sizeof(float) * (padded - n) * J.Cp);
}

// ---- GEMM: M[p][tile][k] = sum_c V[p][tile][c] * U[p][c][k] ----------------------------------

// 6 tiles x 16 output channels, accumulating over all C input channels: c[r][0..15] =
// sum_k a[r * lda + k] * b[k * 16 + 0..15]. B and c are 32-byte aligned. Written in assembly
// because GCC spills with all 16 ymm registers live (12 accumulators, 2 B vectors, 2 broadcasts).
WG_AVX2 inline void kernel6x16(const float* a, size_t lda, const float* b, float* c, size_t ldc, int C) {
    const float* a3 = a + 3 * lda;
    const size_t ldaBytes = lda * sizeof(float), ldcBytes = ldc * sizeof(float);
    size_t k = static_cast<size_t>(C);
    __asm__ volatile(
        "vxorps %%ymm4, %%ymm4, %%ymm4\n\t"
        "vxorps %%ymm5, %%ymm5, %%ymm5\n\t"
        "vxorps %%ymm6, %%ymm6, %%ymm6\n\t"
        "vxorps %%ymm7, %%ymm7, %%ymm7\n\t"
        "vxorps %%ymm8, %%ymm8, %%ymm8\n\t"
        "vxorps %%ymm9, %%ymm9, %%ymm9\n\t"
        "vxorps %%ymm10, %%ymm10, %%ymm10\n\t"
        "vxorps %%ymm11, %%ymm11, %%ymm11\n\t"
        "vxorps %%ymm12, %%ymm12, %%ymm12\n\t"
        "vxorps %%ymm13, %%ymm13, %%ymm13\n\t"
        "vxorps %%ymm14, %%ymm14, %%ymm14\n\t"
        "vxorps %%ymm15, %%ymm15, %%ymm15\n\t"
        ".p2align 5\n\t"
        "1:\n\t"
        "vmovaps (%[b]), %%ymm0\n\t"
        "vmovaps 32(%[b]), %%ymm1\n\t"
        "vbroadcastss (%[a0]), %%ymm2\n\t"
        "vfmadd231ps %%ymm0, %%ymm2, %%ymm4\n\t"
        "vfmadd231ps %%ymm1, %%ymm2, %%ymm5\n\t"
        "vbroadcastss (%[a0],%[lda],1), %%ymm3\n\t"
        "vfmadd231ps %%ymm0, %%ymm3, %%ymm6\n\t"
        "vfmadd231ps %%ymm1, %%ymm3, %%ymm7\n\t"
        "vbroadcastss (%[a0],%[lda],2), %%ymm2\n\t"
        "vfmadd231ps %%ymm0, %%ymm2, %%ymm8\n\t"
        "vfmadd231ps %%ymm1, %%ymm2, %%ymm9\n\t"
        "vbroadcastss (%[a3]), %%ymm3\n\t"
        "vfmadd231ps %%ymm0, %%ymm3, %%ymm10\n\t"
        "vfmadd231ps %%ymm1, %%ymm3, %%ymm11\n\t"
        "vbroadcastss (%[a3],%[lda],1), %%ymm2\n\t"
        "vfmadd231ps %%ymm0, %%ymm2, %%ymm12\n\t"
        "vfmadd231ps %%ymm1, %%ymm2, %%ymm13\n\t"
        "vbroadcastss (%[a3],%[lda],2), %%ymm3\n\t"
        "vfmadd231ps %%ymm0, %%ymm3, %%ymm14\n\t"
        "vfmadd231ps %%ymm1, %%ymm3, %%ymm15\n\t"
        "add $4, %[a0]\n\t"
        "add $4, %[a3]\n\t"
        "add $64, %[b]\n\t"
        "dec %[k]\n\t"
        "jnz 1b\n\t"
        "vmovaps %%ymm4, (%[c])\n\t"
        "vmovaps %%ymm5, 32(%[c])\n\t"
        "add %[ldc], %[c]\n\t"
        "vmovaps %%ymm6, (%[c])\n\t"
        "vmovaps %%ymm7, 32(%[c])\n\t"
        "add %[ldc], %[c]\n\t"
        "vmovaps %%ymm8, (%[c])\n\t"
        "vmovaps %%ymm9, 32(%[c])\n\t"
        "add %[ldc], %[c]\n\t"
        "vmovaps %%ymm10, (%[c])\n\t"
        "vmovaps %%ymm11, 32(%[c])\n\t"
        "add %[ldc], %[c]\n\t"
        "vmovaps %%ymm12, (%[c])\n\t"
        "vmovaps %%ymm13, 32(%[c])\n\t"
        "add %[ldc], %[c]\n\t"
        "vmovaps %%ymm14, (%[c])\n\t"
        "vmovaps %%ymm15, 32(%[c])\n\t"
        : [a0] "+r"(a), [a3] "+r"(a3), [b] "+r"(b), [c] "+r"(c), [k] "+r"(k)
        : [lda] "r"(ldaBytes), [ldc] "r"(ldcBytes)
        : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
          "xmm12", "xmm13", "xmm14", "xmm15");
}

template <int M>
WG_AVX2 void multiply(const Job& J, int n, const float* V, float* Mb) {
    constexpr int A = M + 2;
    const int C = J.Cp, K = J.Kp, panels = K / kPanel, rowBlocks = (n + kRows - 1) / kRows;
    for (int p = 0; p < A * A; ++p) {
        const float* vp = V + p * J.vStride;
        float* mp = Mb + p * J.mStride;
        for (int j = 0; j < panels; ++j) {
            const float* up = J.u + (static_cast<size_t>(p) * panels + j) * C * kPanel;
            for (int rb = 0; rb < rowBlocks; ++rb)
                kernel6x16(vp + static_cast<size_t>(rb) * kRows * C, C, up, mp + static_cast<size_t>(rb) * kRows * K + j * kPanel, K, C);
        }
    }
}

// ---- output transform + bias + activation --------------------------------------------------

template <int M, bool Leaky>
WG_AVX2 void outputTransform(const Job& J, int t0, int n, const float* Mb) {
    constexpr int A = M + 2;
    const int K = J.K;
    const size_t pStride = J.mStride;
    const __m256 slope = _mm256_set1_ps(J.slope), zero = _mm256_setzero_ps();
    const __m256i tailMask = _mm256_cmpgt_epi32(_mm256_set1_epi32(K & 7), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    for (int i = 0; i < n; ++i) {
        const int t = t0 + i, ty = t / J.tilesX, tx = t - ty * J.tilesX;
        const int y0 = ty * M, x0 = tx * M;
        const int rows = J.h - y0 < M ? J.h - y0 : M, cols = J.w - x0 < M ? J.w - x0 : M;
        const float* mt = Mb + static_cast<size_t>(i) * J.Kp;
        if (i + 1 < n) {
            // Fetch the next tile's output lines ahead of the stores.
            const int nt = t + 1, ny = nt / J.tilesX, nx = nt - ny * J.tilesX;
            const int nrows = J.h - ny * M < M ? J.h - ny * M : M, ncols = J.w - nx * M < M ? J.w - nx * M : M;
            // A dense output row is one run of lines; a pitched one (a channel range of a wider
            // buffer) is one run per pixel.
            const bool dense = J.outPitch == K;
            const int runs = dense ? 1 : ncols, runFloats = dense ? ncols * K : K;
            for (int r = 0; r < nrows; ++r)
                for (int q = 0; q < runs; ++q) {
                    const char* run = reinterpret_cast<const char*>(J.out + (static_cast<size_t>(ny * M + r) * J.w + nx * M + q) * J.outPitch);
                    const char* end = run + static_cast<size_t>(runFloats) * sizeof(float);
                    for (const char* line = run; line < end; line += 64) _mm_prefetch(line, _MM_HINT_T0);
                }
        }
        for (int k = 0; k < K; k += 8) {
            const __m256 bias = _mm256_load_ps(J.bias + k);
            __m256 tmp[M][A];
            for (int b = 0; b < A; ++b) {
                __m256 col[A], o[M];
                for (int a = 0; a < A; ++a) col[a] = _mm256_load_ps(mt + (a * A + b) * pStride + k);
                at<M>(col, o);
                for (int r = 0; r < M; ++r) tmp[r][b] = o[r];
            }
            const bool partial = K - k < 8;
            const __m256 kSlope = !J.slopes ? slope : partial ? _mm256_maskload_ps(J.slopes + k, tailMask) : _mm256_loadu_ps(J.slopes + k);
            for (int r = 0; r < rows; ++r) {
                __m256 o[M];
                at<M>(tmp[r], o);
                float* dst = J.out + (static_cast<size_t>(y0 + r) * J.w + x0) * J.outPitch + k;
                for (int q = 0; q < cols; ++q) {
                    __m256 v = _mm256_add_ps(o[q], bias);
                    if (Leaky) v = _mm256_blendv_ps(_mm256_mul_ps(v, kSlope), v, _mm256_cmp_ps(v, zero, _CMP_GT_OQ));
                    if (partial) _mm256_maskstore_ps(dst + static_cast<size_t>(q) * J.outPitch, tailMask, v);
                    else _mm256_storeu_ps(dst + static_cast<size_t>(q) * J.outPitch, v);
                }
            }
        }
    }
}

template <int M>
WG_AVX2 void processBlock(const Job& J, bool leaky, int t0, int n, float* V, float* Mb, const float* zeros) {
    inputTransform<M>(J, t0, n, V, zeros);
    multiply<M>(J, n, V, Mb);
    if (leaky) outputTransform<M, true>(J, t0, n, Mb);
    else outputTransform<M, false>(J, t0, n, Mb);
}

// U for one output-channel panel (16 channels, zero past outC) and input channel c (zero past
// inC): dst[p * pStride + kk] = (G g Gt)[p] in double, vectorised over kk.
template <int A>
WG_AVX2 void transformWeights(const double (*G)[3], const float* weights, int inC, int outC, int j, int c, float* dst,
                              size_t pStride) {
    double gw[9][kPanel], gg[A][3][kPanel];
    for (int e = 0; e < 9; ++e)
        for (int kk = 0; kk < kPanel; ++kk) {
            const int k = j * kPanel + kk;
            gw[e][kk] = k < outC && c < inC ? weights[(static_cast<size_t>(k) * inC + c) * 9 + e] : 0.0;
        }
    for (int a = 0; a < A; ++a)
        for (int x = 0; x < 3; ++x)
            for (int kk = 0; kk < kPanel; ++kk) gg[a][x][kk] = G[a][0] * gw[x][kk] + G[a][1] * gw[3 + x][kk] + G[a][2] * gw[6 + x][kk];
    for (int a = 0; a < A; ++a)
        for (int b = 0; b < A; ++b) {
            float* d = dst + (a * A + b) * pStride;
            for (int kk = 0; kk < kPanel; ++kk)
                d[kk] = static_cast<float>(gg[a][0][kk] * G[b][0] + gg[a][1][kk] * G[b][1] + gg[a][2][kk] * G[b][2]);
        }
}

struct FreeDeleter {
    void operator()(float* p) const { std::free(p); }
};

// Tiles per block: the per-thread V and M buffers (alpha^2 * tb * (C + K) floats) stay around
// 256 KiB so they live in L2 next to the streamed weights. Larger blocks measured no faster.
int blockTiles(int m, int C, int K) {
    const int alpha = m + 2;
    int tb = static_cast<int>((256 * 1024 / 4) / (static_cast<long>(alpha) * alpha * (C + K)));
    tb = tb / kRows * kRows;
    if (tb < kRows) tb = kRows;
    if (tb > 48) tb = 48;
    return tb;
}

}  // namespace

bool cpuSupported() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

bool supportsChannels(int inC, int outC) { return inC > 0 && outC > 0; }

Conv3x3::Conv3x3(int tile, int inC, int outC, const float* weights, const float* bias)
    : m_(tile), alpha_(tile + 2), inC_(inC), outC_(outC) {
    if (tile != 2 && tile != 4) throw std::invalid_argument("winograd: tile must be 2 or 4");
    if (!supportsChannels(inC, outC)) throw std::invalid_argument("winograd: unsupported channel counts");
    if (!cpuSupported()) throw std::runtime_error("winograd: the CPU lacks AVX2/FMA");
    const int Cp = (inC + 7) / 8 * 8, Kp = (outC + kPanel - 1) / kPanel * kPanel;
    static const double g4[6][3] = {{1.0 / 4, 0, 0},
                                    {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                    {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                    {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                    {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                    {0, 0, 1}};
    static const double g2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
    const int A = alpha_, panels = Kp / kPanel;
    double G[6][3];
    for (int a = 0; a < A; ++a)
        for (int i = 0; i < 3; ++i) G[a][i] = tile == 4 ? g4[a][i] : g2[a][i];
    const size_t uFloats = static_cast<size_t>(A) * A * Cp * Kp;
    u_.reset(static_cast<float*>(std::aligned_alloc(64, (uFloats * sizeof(float) + 63) / 64 * 64)));
    if (!u_) throw std::bad_alloc();
    float* u = u_.get();
    // U = G g Gt per (output, input) channel pair, in double; stored [p][panel][c][16].
    const size_t pStride = static_cast<size_t>(panels) * Cp * kPanel;
#pragma omp parallel for schedule(static)
    for (int jc = 0; jc < panels * Cp; ++jc) {
        const int j = jc / Cp, c = jc % Cp;
        float* dst = u + (static_cast<size_t>(j) * Cp + c) * kPanel;
        if (tile == 4) transformWeights<6>(G, weights, inC, outC, j, c, dst, pStride);
        else transformWeights<4>(G, weights, inC, outC, j, c, dst, pStride);
    }
    bias_.reset(static_cast<float*>(std::aligned_alloc(64, (Kp * sizeof(float) + 63) / 64 * 64)));
    if (!bias_) throw std::bad_alloc();
    std::memset(bias_.get(), 0, Kp * sizeof(float));
    if (bias) std::memcpy(bias_.get(), bias, sizeof(float) * outC);
}

void Conv3x3::run(const float* in, int inPitch, int h, int w, float* out, bool leaky, float leakySlope) const {
    run(in, inPitch, h, w, out, outC_, leaky, leakySlope);
}

void Conv3x3::run(const float* in, int inPitch, int h, int w, float* out, int outPitch, bool leaky, float leakySlope,
                  const float* channelSlopes) const {
    Job J;
    J.in = in;
    J.inPitch = inPitch;
    J.out = out;
    J.outPitch = outPitch;
    J.h = h;
    J.w = w;
    J.C = inC_;
    J.K = outC_;
    J.Cp = (inC_ + 7) / 8 * 8;
    J.Kp = (outC_ + kPanel - 1) / kPanel * kPanel;
    J.tilesX = (w + m_ - 1) / m_;
    J.tiles = J.tilesX * ((h + m_ - 1) / m_);
    J.tb = blockTiles(m_, J.Cp, J.Kp);
    J.u = u_.get();
    J.bias = bias_.get();
    J.slope = leakySlope;
    J.slopes = channelSlopes;
    if (channelSlopes) leaky = true;
    const int blocks = (J.tiles + J.tb - 1) / J.tb;
    const int threads = blocks < omp_get_max_threads() ? blocks : omp_get_max_threads();

    // Per-thread scratch, 64-byte aligned: V (alpha^2 x tb x Cp) and M (alpha^2 x tb x Kp); then
    // Cp zeros that stand for the padding. One extra cache line per plane keeps the alpha^2
    // planes, which the transforms read and write together, from mapping onto a few L1 sets.
    J.vStride = static_cast<size_t>(J.tb) * J.Cp + 16;
    J.mStride = static_cast<size_t>(J.tb) * J.Kp + 16;
    const size_t vFloats = static_cast<size_t>(alpha_) * alpha_ * J.vStride;
    const size_t mFloats = static_cast<size_t>(alpha_) * alpha_ * J.mStride;
    const size_t perThread = (vFloats + mFloats + 15) / 16 * 16;
    std::unique_ptr<float, FreeDeleter> scratch(
        static_cast<float*>(std::aligned_alloc(64, (perThread * threads + J.Cp + 15) / 16 * 16 * sizeof(float))));
    if (!scratch) throw std::bad_alloc();
    float* base = scratch.get();
    float* zeros = base + perThread * threads;
    std::memset(zeros, 0, sizeof(float) * J.Cp);
    const int m = m_;

#pragma omp parallel for schedule(dynamic) num_threads(threads)
    for (int b = 0; b < blocks; ++b) {
        float* V = base + perThread * omp_get_thread_num();
        float* Mb = V + vFloats;
        const int t0 = b * J.tb, n = J.tiles - t0 < J.tb ? J.tiles - t0 : J.tb;
        if (m == 4) processBlock<4>(J, leaky, t0, n, V, Mb, zeros);
        else processBlock<2>(J, leaky, t0, n, V, Mb, zeros);
    }
}

}  // namespace winograd
}  // namespace esrgan
