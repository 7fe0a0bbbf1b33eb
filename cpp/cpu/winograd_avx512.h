#pragma once
#include <memory>

#include "cpu/conv3x3.h"

namespace esrgan::cpu {

// Winograd F(m,3), m = 4 or 6, on AVX-512: 16 channels per zmm in the transforms, a 14-tile x
// 32 (or 16) output-channel GEMM micro-kernel that keeps 28 accumulators in the 32 zmm
// registers. Precision::Fp32 multiplies in fp32 (needs Isa::Avx512); Precision::Bf16 rounds the
// transformed input and weights to bf16 and multiplies pairs of input channels with vdpbf16ps
// into fp32 sums (needs Isa::Avx512Bf16). Transforms and the output stay fp32.
// Throws std::invalid_argument for another m or a CPU without the ISA.
std::unique_ptr<Conv3x3Kernel> makeWinogradAvx512(int m, Precision gemm, int inC, int outC, const float* weightsOIHW,
                                                  const float* bias);

}  // namespace esrgan::cpu
