#pragma once
#include <memory>
#include <string>
#include <vector>

#include "cpu/isa.h"

namespace esrgan::cpu {

// Fp32: every product and sum in fp32 (Winograd transforms included), "fp32-grade" results.
// Bf16 (opt-in): the multiply-accumulate operands rounded to bf16, sums in fp32; activations
// stay fp32 between layers. Only ISAs with bf16 arithmetic (Avx512Bf16, AmxBf16) have a bf16 path.
enum class Precision { Fp32, Bf16 };

const char* precisionName(Precision precision);

// The precision a request for `wanted` runs at on `isa`: Bf16 becomes Fp32 below Avx512Bf16,
// where bf16 arithmetic would be emulated and slower than fp32 (oneDNN included).
Precision effectivePrecision(Isa isa, Precision wanted);

// 3x3, stride 1, dilation 1, zero padding 1 on NHWC floats, bias and a fused activation.
class Conv3x3Kernel {
public:
    virtual ~Conv3x3Kernel() = default;
    // in: h x w pixels (h, w >= 1), inPitch floats from one pixel to the next (>= inC; larger for a
    // view of the first channels of a wider buffer). out: h x w pixels, outPitch floats per pixel
    // (>= outC; channels past outC are left untouched, so a kernel can write a channel range of a
    // concat buffer). leaky: LeakyReLU with `slope` (0 gives ReLU); otherwise no activation.
    // in and out may share a buffer (a dense block reads a channel prefix of its concat buffer and
    // writes a later channel range of it) as long as no channel written is read.
    // Thread-safe (const); parallel with OpenMP inside.
    virtual void run(const float* in, int inPitch, int h, int w, float* out, int outPitch, bool leaky, float slope) const = 0;
    // Like run(), with a PReLU fused instead: y < 0 becomes slopes[k] * y for output channel k
    // (outC slopes), so a Convolution followed by a PReLU (realesr-animevideov3, x4fast) costs no
    // second pass over the output.
    virtual void runPrelu(const float* in, int inPitch, int h, int w, float* out, int outPitch, const float* slopes) const = 0;
    // e.g. "Winograd F(4,3) avx512 fp32".
    virtual std::string describe() const = 0;
};

// The fastest of our kernels for this ISA, precision and channel counts, or null where oneDNN is
// faster (then: oneDNN fp32 direct, or for effectivePrecision() == Bf16 oneDNN bf16 with fp32
// accumulation, see cpu/onednn_conv3x3.h). weightsOIHW: [outC][inC][3][3]; bias: outC values or
// null. The weight transform runs here. Throws std::invalid_argument for a level the CPU lacks.
std::unique_ptr<Conv3x3Kernel> makeConv3x3(Isa isa, Precision precision, int inC, int outC, const float* weightsOIHW,
                                           const float* bias);

// The kernels makeConv3x3 chooses from, for tests and benchmarks: every kernel of ours that runs
// on `isa` at effectivePrecision(isa, precision), lower levels' included (an empty list where
// there is none). Throws std::invalid_argument for a level the CPU lacks.
struct Conv3x3Variant {
    std::string name;  // e.g. "wino4-avx512-fp32"
    Isa isa;           // the lowest level it needs
    Precision precision;
    std::unique_ptr<Conv3x3Kernel> kernel;
};
std::vector<Conv3x3Variant> allConv3x3(Isa isa, Precision precision, int inC, int outC, const float* weightsOIHW,
                                       const float* bias);

}  // namespace esrgan::cpu
