#include "vulkan/conv3x3_winograd.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "ops/convolution.h"
#include "vulkan/device.h"

namespace esrgan::vk {

namespace {

constexpr int kLocal = 64;  // work group of every Winograd shader

int divUp(int64_t a, int64_t b) { return static_cast<int>((a + b - 1) / b); }

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
    if (device.info().type == "cpu") return WinogradGemm::Registers;
    return WinogradGemm::Shared;
}

}  // namespace

Conv3x3Choice chooseConv3x3(const Device& device, int inC, int outC, int outW, int outH) {
    (void)outW;
    (void)outH;
    Conv3x3Choice c;
    const std::string algorithm = env("MC_VK_CONV3X3");
    if (algorithm == "direct") return c;
    if (algorithm == "wino23" || algorithm == "wino43") {
        c.algorithm = algorithm == "wino43" ? Conv3x3Algorithm::Winograd43 : Conv3x3Algorithm::Winograd23;
    } else {
        if (inC < 16 || outC < 16) return c;
        c.algorithm = Conv3x3Algorithm::Winograd43;
    }
    c.gemm = automaticGemm(device);
    const std::string gemm = env("MC_VK_WINO_GEMM");
    if (gemm == "registers") c.gemm = WinogradGemm::Registers;
    else if (gemm == "shared") c.gemm = WinogradGemm::Shared;
    else if (gemm == "coopemu" && device.fp16Storage()) c.gemm = WinogradGemm::CooperativeEmulated;
    return c;
}

WinogradGeometry winogradGeometry(int m, int inC, int outC, int outW, int outH) {
    WinogradGeometry g;
    g.m = m;
    g.alpha = m + 2;
    g.tilesX = divUp(outW, m);
    g.tiles = g.tilesX * divUp(outH, m);
    g.paddedTiles = divUp(g.tiles, WinogradGeometry::kTileAlign) * WinogradGeometry::kTileAlign;
    g.c16 = divUp(inC, 16);
    g.k16 = divUp(outC, 16);
    return g;
}

std::vector<float> winogradWeights(const ConvolutionLayer& conv, int m) {
    const int inC = conv.inputChannels(), outC = conv.outputChannels(), alpha = m + 2;
    const WinogradGeometry g = winogradGeometry(m, inC, outC, 1, 1);
    const int cp = g.c16 * 16, kp = g.k16 * 16;
    const std::vector<float>& w = conv.weights();  // OIHW
    std::vector<float> u(g.uElements(), 0.f);
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
                u[((point * g.k16 + k / 16) * cp + c) * 16 + k % 16] = static_cast<float>(v);
            }
    }
    (void)kp;
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
    const WinogradGeometry g = winogradGeometry(choice.m(), c.inC, c.outC, c.outW, c.outH);
    const int points = g.alpha * g.alpha;
    const double macs = static_cast<double>(c.outW) * c.outH * c.outC * c.inC * 9;
    std::vector<WinogradDispatch> out(3);

    WinogradDispatch& in = out[0];
    in.shader = choice.cooperative() ? "wino_input_h" : "wino_input";
    in.spec = {g.m};
    in.bind[0] = Bind::Input;
    in.bind[2] = Bind::V;
    in.push.i(c.inOff).i(c.inW).i(c.inH).i(c.inC).i(g.c16).i(g.tilesX).i(g.tiles).i(g.paddedTiles).i(c.padL).i(c.padT).f(c.padValue);
    in.groups[0] = static_cast<uint32_t>(g.paddedTiles / kLocal);
    in.groups[1] = static_cast<uint32_t>(g.c16 * 4);
    in.cost = macs * 0.05;

    WinogradDispatch& gemm = out[1];
    gemm.bind[0] = Bind::V;
    gemm.bind[2] = Bind::M;
    gemm.bind[3] = Bind::U;
    gemm.cost = macs * 0.9;
    gemm.storageVariant = false;
    switch (choice.gemm) {
        case WinogradGemm::Registers:
        default: {
            gemm.shader = device.subgroupBroadcast8() ? "wino_gemm" : "wino_gemm_plain";
            const int64_t groups = static_cast<int64_t>(g.paddedTiles / 8) * g.k16;
            gemm.push.i(c.uOff / 4).i(g.c16).i(g.k16).i(g.paddedTiles).i(groups);
            // linear over (tile group, channel block), spilling into y past 65535 work groups
            const int wgs = divUp(groups, kLocal);
            gemm.groups[0] = static_cast<uint32_t>(std::min(wgs, 65535));
            gemm.groups[1] = static_cast<uint32_t>(divUp(wgs, gemm.groups[0]));
            gemm.groups[2] = static_cast<uint32_t>(points);
            break;
        }
    }

    WinogradDispatch& o = out[2];
    o.shader = "wino_output";
    o.spec = {g.m, c.activation};
    o.bind[0] = Bind::M;
    o.bind[2] = Bind::Output;
    o.bind[3] = Bind::Bias;
    o.push.i(c.outOff).i(c.outW).i(c.outH).i(c.outC).i(g.k16).i(g.tilesX).i(g.tiles).i(g.paddedTiles).i(c.biasOff).f(c.a0).f(c.a1);
    o.groups[0] = static_cast<uint32_t>(g.paddedTiles / kLocal);
    o.groups[1] = static_cast<uint32_t>(divUp(c.outC, 4));
    o.cost = macs * 0.05;
    return out;
}

}  // namespace esrgan::vk
