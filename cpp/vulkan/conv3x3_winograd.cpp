#include "vulkan/conv3x3_winograd.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "ops/convolution.h"
#include "vulkan/device.h"

namespace esrgan::vk {

namespace {

constexpr int kLocal = 64;  // work group of every Winograd shader

int ceilDiv(int64_t a, int64_t b) { return static_cast<int>((a + b - 1) / b); }

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

// G of F(4,3) and F(2,3), as cpp/cpu/winograd3x3.cpp uses them (At and Bt live in winograd.glsl).
const double kG4[6][3] = {{1.0 / 4, 0, 0},
                          {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                          {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                          {1.0 / 24, 1.0 / 12, 1.0 / 6},
                          {1.0 / 24, -1.0 / 12, 1.0 / 6},
                          {0, 0, 1}};
const double kG2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};

WinogradGemm automaticGemm(const Device& device) {
    if (device.coopMatrix()) return WinogradGemm::Cooperative;
    if (device.info().type == "cpu") return WinogradGemm::Registers;
    return WinogradGemm::Shared;
}

// The automatic choice, from tools/vk_conv_bench.cpp on lavapipe (2-core Zen 5, fp32, wall time per
// convolution): with 16 or more input and output channels Winograd wins at every size (64->64:
// F(2,3) at 8x8 0.36x the direct shader, F(4,3) at 48x48 0.44x, 128x128 0.40x; 16->16 at 64x64
// 0.6x); with fewer it loses (8->8 2.0x, 3->64 1.6x, 64->3 1.5x: the GEMM pads channels to 16).
// F(4,3) overtakes F(2,3) between 40x40 (1.03x F(2,3)'s time) and 48x48 (0.77x); below, its 4x4
// tiles are too few (32x32: 1.6x, 24x24: 1.9x; register GEMM of 16 tiles x 16 channels).
Conv3x3Algorithm automaticAlgorithm(int inC, int outC, int outW, int outH) {
    if (inC < 16 || outC < 16) return Conv3x3Algorithm::Direct;
    return static_cast<int64_t>(outW) * outH > 40 * 40 ? Conv3x3Algorithm::Winograd43 : Conv3x3Algorithm::Winograd23;
}

}  // namespace

Conv3x3Choice chooseConv3x3(const Device& device, int inC, int outC, int outW, int outH) {
    Conv3x3Choice c;
    const std::string algorithm = env("MC_VK_CONV3X3");
    if (algorithm == "direct") return c;
    if (algorithm == "wino23" || algorithm == "wino43")
        c.algorithm = algorithm == "wino43" ? Conv3x3Algorithm::Winograd43 : Conv3x3Algorithm::Winograd23;
    else
        c.algorithm = automaticAlgorithm(inC, outC, outW, outH);
    if (!c.winograd()) return c;
    const std::string chunk = env("MC_VK_WINO_CHUNK_KIB");
    if (!chunk.empty() && std::atoll(chunk.c_str()) > 0) c.chunkBytes = static_cast<uint64_t>(std::atoll(chunk.c_str())) << 10;
    c.gemm = automaticGemm(device);
    const std::string gemm = env("MC_VK_WINO_GEMM");
    if (gemm == "registers") c.gemm = WinogradGemm::Registers;
    else if (gemm == "shared") c.gemm = WinogradGemm::Shared;
    else if (gemm == "coopemu" && device.fp16Storage()) c.gemm = WinogradGemm::CooperativeEmulated;
    else if (gemm == "coop" && device.coopMatrix()) c.gemm = WinogradGemm::Cooperative;
    c.shape.nv = device.info().coopMatrix.nv();
    // The cooperative kernels round V and U to fp16, which F(4,3)'s transforms (factors up to 25)
    // turn into errors of 0.9 % of the output range (64->64 channels, 64x64); F(2,3) keeps them at
    // 5e-4, one fp16 step, so tensor cores always get F(2,3) unless one is forced.
    if (c.cooperative() && algorithm.empty()) c.algorithm = Conv3x3Algorithm::Winograd23;
    return c;
}

int Conv3x3Choice::tileBlock() const {
    switch (gemm) {
        case WinogradGemm::Registers: return 16;
        case WinogradGemm::Cooperative:
        case WinogradGemm::CooperativeEmulated: return 128;  // 4 subgroups x 32 tiles
        default: return 64;
    }
}

WinogradGeometry winogradGeometry(const Conv3x3Choice& choice, int inC, int outC, int outW, int outH) {
    const int m = choice.m();
    WinogradGeometry g;
    g.m = m;
    g.alpha = m + 2;
    g.tilesX = ceilDiv(outW, m);
    g.tiles = g.tilesX * ceilDiv(outH, m);
    g.c16 = ceilDiv(inC, 16);
    g.k16 = ceilDiv(outC, 16);
    const int block = choice.tileBlock();
    const uint64_t perTile = std::max<uint64_t>(static_cast<uint64_t>(g.alpha) * g.alpha * g.c16 * 16 * (choice.cooperative() ? 2 : 4),
                                                static_cast<uint64_t>(g.alpha) * g.alpha * g.k16 * 16 * 4);
    const int64_t rows = std::max<int64_t>(1, static_cast<int64_t>(choice.chunkBytes / perTile / block)) * block;
    g.paddedTiles = static_cast<int>(std::min<int64_t>(static_cast<int64_t>(ceilDiv(g.tiles, block)) * block, rows));
    g.chunks = ceilDiv(g.tiles, g.paddedTiles);
    return g;
}

std::vector<float> winogradWeights(const ConvolutionLayer& conv, int m) {
    const int inC = conv.inputChannels(), outC = conv.outputChannels(), alpha = m + 2;
    const int cp = ceilDiv(inC, 16) * 16, k16 = ceilDiv(outC, 16);
    const std::vector<float>& w = conv.weights();  // OIHW
    std::vector<float> u(static_cast<size_t>(alpha) * alpha * k16 * 16 * cp, 0.f);
#pragma omp parallel for schedule(static)
    for (int kc = 0; kc < outC * inC; ++kc) {
        const int k = kc / inC, c = kc % inC;
        const float* kernel = &w[static_cast<size_t>(kc) * 9];
        double gg[6][3];  // G g
        for (int a = 0; a < alpha; ++a)
            for (int x = 0; x < 3; ++x) {
                const double* row = m == 4 ? kG4[a] : kG2[a];
                gg[a][x] = row[0] * kernel[x] + row[1] * kernel[3 + x] + row[2] * kernel[6 + x];
            }
        for (int a = 0; a < alpha; ++a)
            for (int b = 0; b < alpha; ++b) {
                const double* col = m == 4 ? kG4[b] : kG2[b];
                const double v = gg[a][0] * col[0] + gg[a][1] * col[1] + gg[a][2] * col[2];
                const size_t point = static_cast<size_t>(a) * alpha + b;
                u[((point * k16 + k / 16) * cp + c) * 16 + k % 16] = static_cast<float>(v);
            }
    }
    return u;
}

ScratchBytes winogradScratch(const Conv3x3Choice& choice, const WinogradGeometry& g) {
    ScratchBytes s;
    s.v = g.vElements() * (choice.cooperative() ? 2 : 4);
    s.m = g.mElements() * 4;
    return s;
}

std::vector<WinogradDispatch> winogradDispatches(const Device& device, const Conv3x3Choice& choice, const WinogradConv& c) {
    using Bind = WinogradDispatch::Bind;
    const WinogradGeometry g = winogradGeometry(choice, c.inC, c.outC, c.outW, c.outH);
    const int points = g.alpha * g.alpha;
    const double macs = static_cast<double>(c.outW) * c.outH * c.outC * c.inC * 9 / g.chunks;

    // The GEMM is the same for every chunk: V and M hold one chunk's paddedTiles rows.
    WinogradDispatch gemm;
    gemm.bind[0] = Bind::V;
    gemm.bind[2] = Bind::M;
    gemm.bind[3] = Bind::U;
    gemm.cost = macs * 0.9;
    gemm.storageVariant = false;
    switch (choice.gemm) {
        case WinogradGemm::Cooperative:
        case WinogradGemm::CooperativeEmulated: {
            // wino_gemm_coop.glsl: work groups of 4 subgroups, 128 tiles x 32 output channels.
            if (choice.gemm == WinogradGemm::CooperativeEmulated) {
                gemm.shader = "wino_gemm_coop_emu";
            } else {
                gemm.shader = choice.shape.nv ? "wino_gemm_coop_nv" : "wino_gemm_coop_khr";
                gemm.spec = {static_cast<int32_t>(4 * device.subgroupSize())};
            }
            gemm.push.i(c.uOff).i(g.c16).i(g.k16).i(g.paddedTiles);
            gemm.groups[0] = static_cast<uint32_t>(g.paddedTiles / 128);
            gemm.groups[1] = static_cast<uint32_t>(ceilDiv(g.k16, 2));
            gemm.groups[2] = static_cast<uint32_t>(points);
            break;
        }
        case WinogradGemm::Shared:
            gemm.shader = "wino_gemm_shared";
            gemm.push.i(c.uOff / 4).i(g.c16).i(g.k16).i(g.paddedTiles);
            gemm.groups[0] = static_cast<uint32_t>(g.paddedTiles / 64);
            gemm.groups[1] = static_cast<uint32_t>(ceilDiv(g.k16, 2));
            gemm.groups[2] = static_cast<uint32_t>(points);
            break;
        case WinogradGemm::Registers:
        default: {
            gemm.shader = "wino_gemm";
            const int64_t groups = static_cast<int64_t>(g.paddedTiles / 16) * g.k16;
            gemm.push.i(c.uOff / 4).i(g.c16).i(g.k16).i(g.paddedTiles).i(groups);
            // linear over (tile group, channel block), spilling into y past 65535 work groups
            const int wgs = ceilDiv(groups, kLocal);
            gemm.groups[0] = static_cast<uint32_t>(std::min(wgs, 65535));
            gemm.groups[1] = static_cast<uint32_t>(ceilDiv(wgs, gemm.groups[0]));
            gemm.groups[2] = static_cast<uint32_t>(points);
            break;
        }
    }

    std::vector<WinogradDispatch> out;
    for (int chunk = 0; chunk < g.chunks; ++chunk) {
        const int base = chunk * g.paddedTiles, rows = std::min(g.paddedTiles, g.tiles - base);
        WinogradDispatch in;
        in.shader = choice.cooperative() ? "wino_input_h" : "wino_input";
        in.spec = {g.m};
        in.bind[0] = Bind::Input;
        in.bind[2] = Bind::V;
        in.push.i(c.inOff).i(c.inW).i(c.inH).i(c.inC).i(g.c16).i(g.tilesX).i(g.tiles).i(base).i(g.paddedTiles).i(c.padL).i(c.padT).f(c.padValue);
        in.groups[0] = static_cast<uint32_t>(ceilDiv(g.paddedTiles, kLocal / 4));  // 16 tiles x 4 channel quads
        in.groups[1] = static_cast<uint32_t>(g.c16);
        in.cost = macs * 0.05;
        out.push_back(in);

        out.push_back(gemm);

        WinogradDispatch o;
        o.shader = "wino_output";
        o.spec = {g.m, c.activation};
        o.bind[0] = Bind::M;
        o.bind[2] = Bind::Output;
        o.bind[3] = Bind::Bias;
        o.push.i(c.outOff).i(c.outW).i(c.outH).i(c.outC).i(g.k16).i(g.tilesX).i(g.tiles).i(base).i(g.paddedTiles).i(c.biasOff).f(c.a0).f(c.a1);
        o.groups[0] = static_cast<uint32_t>(ceilDiv(rows, kLocal / 4));
        o.groups[1] = static_cast<uint32_t>(g.k16);
        o.cost = macs * 0.05;
        out.push_back(o);
    }
    return out;
}

}  // namespace esrgan::vk
