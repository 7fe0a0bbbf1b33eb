// The batched GEMM of a Winograd convolution on cooperative matrices (tensor cores):
// M[p] (tiles x k) = V[p] (tiles x c) * U[p] (c x k) for each alpha^2 point p (work group z),
// fp16 operands, fp32 accumulation, 16 x 16 x 16 fragments (the shape every vendor with the
// extensions reports for fp16 -> fp32).
// A work group is 4 subgroups; each computes 32 tiles x 32 output channels as 2 x 2 accumulator
// fragments, so a work group covers 128 tiles (Conv3x3Choice::tileBlock) and work group y steps
// over pairs of 16-channel blocks. Per 16 input channels a subgroup loads 2 A and 2 B fragments
// straight from the buffers (V, U and M keep every 16 x 16 block contiguous, row-major, stride 16:
// see winograd.glsl) and issues 4 multiply-adds.
//
// Included by coopmat/wino_gemm_coop_khr.comp (VK_KHR_cooperative_matrix), coopmat/
// wino_gemm_coop_nv.comp (VK_NV_cooperative_matrix), both compiled by cpp/tools/spirv_compile.cpp,
// and by wino_gemm_coop_emu.comp: the same tiling, indexing and data layout with the fragments
// emulated in plain arithmetic (each lane of a 32-lane "subgroup" owns 8 elements of a 16 x 16
// accumulator), so lavapipe tests what the tensor-core kernels compute.
layout(std430, binding = 0) readonly buffer V { float16_t v[]; };
layout(std430, binding = 2) writeonly buffer M { float m[]; };
layout(std430, binding = 3) readonly buffer U { float16_t u[]; };

layout(push_constant) uniform Params {
    int uOff;  // in elements
    int c16, k16, paddedTiles;
} p;

#if COOPMAT_KHR
#define FRAG_A coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseA>
#define FRAG_B coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseB>
#define FRAG_C coopmat<float, gl_ScopeSubgroup, 16, 16, gl_MatrixUseAccumulator>
#define ZERO(c) c = FRAG_C(0.0)
#define LOAD_A(f, at) coopMatLoad(f, v, uint(at), 16u, gl_CooperativeMatrixLayoutRowMajor)
#define LOAD_B(f, at) coopMatLoad(f, u, uint(at), 16u, gl_CooperativeMatrixLayoutRowMajor)
#define MMA(c, a, b) c = coopMatMulAdd(a, b, c)
#define STORE(c, at) coopMatStore(c, m, uint(at), 16u, gl_CooperativeMatrixLayoutRowMajor)
#define SUBGROUP int(gl_SubgroupID)
#elif COOPMAT_NV
#define FRAG_A fcoopmatNV<16, gl_ScopeSubgroup, 16, 16>
#define FRAG_B fcoopmatNV<16, gl_ScopeSubgroup, 16, 16>
#define FRAG_C fcoopmatNV<32, gl_ScopeSubgroup, 16, 16>
#define ZERO(c) c = FRAG_C(0.0)
#define LOAD_A(f, at) coopMatLoadNV(f, v, uint(at), 16u, false)
#define LOAD_B(f, at) coopMatLoadNV(f, u, uint(at), 16u, false)
#define MMA(c, a, b) c = coopMatMulAddNV(a, b, c)
#define STORE(c, at) coopMatStoreNV(c, m, uint(at), 16u, false)
#define SUBGROUP int(gl_SubgroupID)
#else
// A "fragment" of A or B is the offset of its first element; an accumulator is this lane's 8
// elements: row lane / 2, columns (lane % 2) * 8 + 0..7.
#define FRAG_A int
#define FRAG_B int
#define FRAG_C float[8]
#define ZERO(c) for (int e = 0; e < 8; ++e) c[e] = 0.0
#define LOAD_A(f, at) f = (at)
#define LOAD_B(f, at) f = (at)
#define MMA(c, a, b) mma(c, a, b)
#define STORE(c, at) for (int e = 0; e < 8; ++e) m[(at) + emuRow * 16 + emuCol + e] = c[e]
#define SUBGROUP int(gl_LocalInvocationID.x / 32)
int emuRow, emuCol;
void mma(inout float c[8], int a, int b) {
    for (int k = 0; k < 16; ++k) {
        const float x = float(v[a + emuRow * 16 + k]);
        for (int e = 0; e < 8; ++e) c[e] += x * float(u[b + k * 16 + emuCol + e]);
    }
}
#endif

void main() {
#if !COOPMAT_KHR && !COOPMAT_NV
    emuRow = int(gl_LocalInvocationID.x % 32) / 2;
    emuCol = int(gl_LocalInvocationID.x % 2) * 8;
#endif
    const int t0 = (int(gl_WorkGroupID.x) * 4 + SUBGROUP) * 32;
    const int kb0 = int(gl_WorkGroupID.y) * 2;
    const int point = int(gl_WorkGroupID.z);
    const bool second = kb0 + 1 < p.k16;  // uniform: the work group's second channel block exists
    const int cp = p.c16 * 16;
    FRAG_C c00; FRAG_C c01; FRAG_C c10; FRAG_C c11;
    ZERO(c00); ZERO(c01); ZERO(c10); ZERO(c11);
    FRAG_A a0; FRAG_A a1; FRAG_B b0; FRAG_B b1;
    for (int cb = 0; cb < p.c16; ++cb) {
        const int at = ((point * p.c16 + cb) * p.paddedTiles + t0) * 16;
        LOAD_A(a0, at);
        LOAD_A(a1, at + 256);
        const int bt = p.uOff + ((point * p.k16 + kb0) * cp + cb * 16) * 16;
        LOAD_B(b0, bt);
        MMA(c00, a0, b0);
        MMA(c10, a1, b0);
        if (second) {
            LOAD_B(b1, bt + cp * 16);
            MMA(c01, a0, b1);
            MMA(c11, a1, b1);
        }
    }
    const int mt = ((point * p.k16 + kb0) * p.paddedTiles + t0) * 16;
    STORE(c00, mt);
    STORE(c10, mt + 256);
    if (second) {
        STORE(c01, mt + p.paddedTiles * 16);
        STORE(c11, mt + p.paddedTiles * 16 + 256);
    }
}
