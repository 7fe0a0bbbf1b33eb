#pragma once
#include <string>

namespace esrgan::cpu {

// The instruction-set levels our CPU kernels are written for, each including the ones before it.
//   Avx2:       AVX2 + FMA (and the OS saves ymm state)
//   Avx512:     AVX-512 F/BW/DQ/VL (and the OS saves zmm and opmask state)
//   Avx512Bf16: Avx512 + AVX512_BF16 (vdpbf16ps, vcvtne2ps2bf16)
//   AmxBf16:    Avx512Bf16 + AMX-TILE/AMX-BF16, with tile data enabled by the OS and permitted for
//               this process (Linux: arch_prctl(ARCH_REQ_XCOMP_PERM)). Nothing of ours runs AMX
//               code; it tells the caller that oneDNN's bf16 convolutions will run on AMX.
enum class Isa { Baseline, Avx2, Avx512, Avx512Bf16, AmxBf16 };

// The best level this CPU and OS allow, lowered by the environment variable
// MC_CPU_ISA=baseline|avx2|avx512|avx512_bf16|amx_bf16 (unset, empty or "auto": no limit) and by
// forceIsa(), which takes precedence. A request above what the CPU has gives what it has.
// Throws std::invalid_argument, naming the accepted values, when MC_CPU_ISA holds anything else.
Isa activeIsa();

// Whether the CPU and OS support this level (for AmxBf16 this asks the OS for the tile-data
// permission once; refused means unavailable).
bool isaAvailable(Isa isa);

// The best level isaAvailable() allows, ignoring MC_CPU_ISA and forceIsa().
Isa detectedIsa();

// Testing hook with the meaning of MC_CPU_ISA; "" (or "auto") clears it. Throws
// std::invalid_argument for an unknown name.
void forceIsa(const std::string& name);

// "baseline", "avx2", "avx512", "avx512_bf16", "amx_bf16".
const char* isaName(Isa isa);

// The level named as in isaName() (also "auto" -> detectedIsa()); throws std::invalid_argument.
Isa parseIsa(const std::string& name);

}  // namespace esrgan::cpu
