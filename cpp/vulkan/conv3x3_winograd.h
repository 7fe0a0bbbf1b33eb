#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "vulkan/vk_op.h"

namespace esrgan {
class ConvolutionLayer;
}

namespace esrgan::vk {

class Device;

// How one 3x3 / stride 1 / dilation 1 convolution runs on a Vulkan device: the direct shader
// (conv3x3*.comp) or Winograd F(m,3) in three dispatches (wino_input, a GEMM per alpha^2 point,
// wino_output), with the GEMM on one of several kernels.
enum class Conv3x3Algorithm { Direct, Winograd23, Winograd43 };
enum class WinogradGemm {
    Registers,            // wino_gemm.comp: register tiles of 16 tiles x 16 channels (software rasterisers)
    Shared,               // wino_gemm_shared.comp: shared-memory tiles (GPUs without cooperative matrices)
    Cooperative,          // wino_gemm_coop_khr / _nv: tensor cores, fp16 x fp16 -> fp32
    CooperativeEmulated,  // wino_gemm_coop_emu.comp: the same tiling and layout in plain arithmetic (tests)
};

// One MxNxK shape of the device's cooperative matrices that the kernel uses (fp16 A/B, fp32 C).
struct CoopShape {
    int m = 16, n = 16, k = 16;
    bool nv = false;  // VK_NV_cooperative_matrix (else VK_KHR_cooperative_matrix)
};

struct Conv3x3Choice {
    Conv3x3Algorithm algorithm = Conv3x3Algorithm::Direct;
    WinogradGemm gemm = WinogradGemm::Registers;
    CoopShape shape;
    // Largest V or M one chunk of tiles may need: larger convolutions run chunk by chunk through the
    // three dispatches, so scratch stays bounded (and, on GPUs, can stay in cache between them).
    uint64_t chunkBytes = uint64_t(64) << 20;
    int m() const { return algorithm == Conv3x3Algorithm::Winograd43 ? 4 : 2; }
    bool winograd() const { return algorithm != Conv3x3Algorithm::Direct; }
    // The cooperative kernels take fp16 V and U and write fp32 M, whatever the storage type.
    bool cooperative() const { return gemm == WinogradGemm::Cooperative || gemm == WinogradGemm::CooperativeEmulated; }
    // Tiles per block of the GEMM (the transformed domain pads the tile count to a multiple).
    int tileBlock() const;
};

// The algorithm and GEMM for a convolution of these channels and output size on `device`.
// MC_VK_CONV3X3=direct|wino23|wino43 and MC_VK_WINO_GEMM=registers|shared|coop|coopemu force a choice
// (benchmarks, tests); a forced GEMM the device cannot run falls back to the automatic one.
// MC_VK_WINO_CHUNK_KIB sets Conv3x3Choice::chunkBytes (in KiB).
Conv3x3Choice chooseConv3x3(const Device& device, int inC, int outC, int outW, int outH);

// Sizes of the transformed domain of one convolution.
struct WinogradGeometry {
    int m = 4, alpha = 6;
    int tilesX = 0, tiles = 0;
    int paddedTiles = 0;  // rows of V and M: tiles per chunk, a multiple of the GEMM's tile block
    int chunks = 1;
    int c16 = 0, k16 = 0;                        // channels / 16, rounded up
    uint64_t vElements() const { return static_cast<uint64_t>(alpha) * alpha * c16 * 16 * paddedTiles; }
    uint64_t mElements() const { return static_cast<uint64_t>(alpha) * alpha * k16 * 16 * paddedTiles; }
    uint64_t uElements() const { return static_cast<uint64_t>(alpha) * alpha * k16 * 16 * c16 * 16; }
};
WinogradGeometry winogradGeometry(const Conv3x3Choice& choice, int inC, int outC, int outW, int outH);

// U = G g Gt per (output, input) channel pair, computed in double and packed U[p][k / 16][c][k % 16]
// (p = alpha x alpha point, zero past inC / outC): the B operand of every GEMM kernel.
std::vector<float> winogradWeights(const ConvolutionLayer& conv, int m);

// Bytes of the two scratch buffers (V, M) that one convolution needs. V, M and U are fp32 whatever
// the storage type (fp16 would cost F(4,3) about 1 % of the output range), except that the
// cooperative kernels take fp16 V and U.
ScratchBytes winogradScratch(const Conv3x3Choice& choice, const WinogradGeometry& g);

// One dispatch of a Winograd convolution. `bind` says what each of the 4 bindings holds.
struct WinogradDispatch {
    enum class Bind { None, Input, Output, V, M, U, Bias };
    std::string shader;  // embedded shader name without the storage suffix (_fp16)
    bool storageVariant = true;  // false: the shader has one variant for both storage types
    std::vector<int32_t> spec;
    Bind bind[4] = {Bind::None, Bind::None, Bind::None, Bind::None};
    Push push;
    uint32_t groups[3] = {1, 1, 1};
    double cost = 0;  // share of the convolution's multiply-adds (for progress segments)
};

struct WinogradConv {
    int64_t inOff = 0, outOff = 0;  // elements
    int inW = 0, inH = 0, inC = 0, outW = 0, outH = 0, outC = 0;
    int padL = 0, padT = 0;
    float padValue = 0.f;
    int activation = 0;
    float a0 = 0.f, a1 = 0.f;
    int64_t uOff = 0;     // elements of U's buffer (a multiple of 4)
    int64_t biasOff = 0;  // vec4s of the direct weights' buffer (its bias, [outC] padded to 8)
};

std::vector<WinogradDispatch> winogradDispatches(const Device& device, const Conv3x3Choice& choice, const WinogradConv& conv);

}  // namespace esrgan::vk
