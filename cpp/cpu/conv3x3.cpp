#include "cpu/conv3x3.h"

#include <stdexcept>

#include "cpu/winograd3x3.h"
#include "cpu/winograd_avx512.h"

namespace esrgan::cpu {

namespace {

// The AVX2+FMA Winograd kernels of cpu/winograd3x3.h behind the common interface.
class WinogradAvx2 final : public Conv3x3Kernel {
public:
    WinogradAvx2(int m, int inC, int outC, const float* weights, const float* bias) : conv_(m, inC, outC, weights, bias) {}
    void run(const float* in, int inPitch, int h, int w, float* out, int outPitch, bool leaky, float slope) const override {
        conv_.run(in, inPitch, h, w, out, outPitch, leaky, slope);
    }
    void runPrelu(const float* in, int inPitch, int h, int w, float* out, int outPitch, const float* slopes) const override {
        conv_.run(in, inPitch, h, w, out, outPitch, true, 0.f, slopes);
    }
    std::string describe() const override { return "Winograd F(" + std::to_string(conv_.tile()) + ",3) avx2 fp32"; }

private:
    winograd::Conv3x3 conv_;
};

}  // namespace

const char* precisionName(Precision precision) { return precision == Precision::Bf16 ? "bf16" : "fp32"; }

Precision effectivePrecision(Isa isa, Precision wanted) {
    return wanted == Precision::Bf16 && static_cast<int>(isa) >= static_cast<int>(Isa::Avx512Bf16) ? Precision::Bf16
                                                                                                   : Precision::Fp32;
}

std::vector<Conv3x3Variant> allConv3x3(Isa isa, Precision precision, int inC, int outC, const float* weightsOIHW,
                                       const float* bias) {
    if (!isaAvailable(isa)) throw std::invalid_argument(std::string("conv3x3: this CPU lacks ") + isaName(isa));
    std::vector<Conv3x3Variant> all;
    const int level = static_cast<int>(isa);
    const Precision p = effectivePrecision(isa, precision);
    if (p == Precision::Fp32 && level >= static_cast<int>(Isa::Avx2)) {
        all.push_back({"wino4-avx2-fp32", Isa::Avx2, Precision::Fp32, std::make_unique<WinogradAvx2>(4, inC, outC, weightsOIHW, bias)});
        all.push_back({"wino2-avx2-fp32", Isa::Avx2, Precision::Fp32, std::make_unique<WinogradAvx2>(2, inC, outC, weightsOIHW, bias)});
    }
    if (p == Precision::Fp32 && level >= static_cast<int>(Isa::Avx512)) {
        all.push_back({"wino4-avx512-fp32", Isa::Avx512, Precision::Fp32, makeWinogradAvx512(4, Precision::Fp32, inC, outC, weightsOIHW, bias)});
        all.push_back({"wino6-avx512-fp32", Isa::Avx512, Precision::Fp32, makeWinogradAvx512(6, Precision::Fp32, inC, outC, weightsOIHW, bias)});
    }
    if (p == Precision::Bf16) {
        all.push_back({"wino4-avx512-bf16", Isa::Avx512Bf16, Precision::Bf16, makeWinogradAvx512(4, Precision::Bf16, inC, outC, weightsOIHW, bias)});
        all.push_back({"wino6-avx512-bf16", Isa::Avx512Bf16, Precision::Bf16, makeWinogradAvx512(6, Precision::Bf16, inC, outC, weightsOIHW, bias)});
    }
    return all;
}

// The choice per level, from cpp/tools/conv3x3_bench (CPU time / thread, 156x156, 2 threads) and
// cpp/tools/model_check on a 2-core AMD EPYC Zen 5 (avx512_bf16, no AMX):
// - Under 16 input channels (3->64) the transforms dominate: oneDNN is 1.7-2.2x faster than our
//   fp32 Winograd kernels.
// - avx2: F(4,3) at 1.4-1.9x oneDNN fp32 (F(2,3): 0.7-1.2x).
// - avx512 and up, fp32: F(6,3) at 1.9-2.9x oneDNN fp32 on every Real-ESRGAN shape, 8-28 % ahead
//   of F(4,3); realesrgan-x4plus on a photo stays within +-1 of fp32 for 100 % of 8-bit values
//   (84.8 dB PSNR).
// - bf16 without AMX: Winograd with bf16 operands is 1.2-1.6x faster than fp32 F(6,3) but fails
//   the bar on deep models (F(4,3): x4plus 44.5 dB, 75 % within +-1; PyTorch bf16 autocast: 49.2
//   dB, 91.6 %), and oneDNN bf16 (51.8 dB, 98.3 %) runs at only 1.8x oneDNN fp32; so fp32 F(6,3)
//   is both the fastest and exact.
// - amx_bf16, bf16: oneDNN's AMX convolution (not measurable here; AMX has 16x the bf16
//   multiply rate of vdpbf16ps).
std::unique_ptr<Conv3x3Kernel> makeConv3x3(Isa isa, Precision precision, int inC, int outC, const float* weightsOIHW,
                                           const float* bias) {
    if (!isaAvailable(isa)) throw std::invalid_argument(std::string("conv3x3: this CPU lacks ") + isaName(isa));
    if (inC < 1 || outC < 1) throw std::invalid_argument("conv3x3: channel counts must be positive");
    if (inC < 16) return nullptr;
    switch (isa) {
        case Isa::Baseline: return nullptr;
        case Isa::Avx2: return std::make_unique<WinogradAvx2>(4, inC, outC, weightsOIHW, bias);
        case Isa::AmxBf16:
            if (effectivePrecision(isa, precision) == Precision::Bf16) return nullptr;
            [[fallthrough]];
        case Isa::Avx512:
        case Isa::Avx512Bf16: return makeWinogradAvx512(6, Precision::Fp32, inC, outC, weightsOIHW, bias);
    }
    return nullptr;
}

}  // namespace esrgan::cpu
