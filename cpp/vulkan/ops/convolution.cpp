// Vulkan convolutions: Winograd (conv3x3_winograd.h) or conv3x3*.comp for 3x3 stride-1 layers,
// conv.comp for any other geometry.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "ops/convolution.h"
#include "vulkan/conv3x3_winograd.h"
#include "vulkan/ops/vk_ops.h"

namespace esrgan::vk::ops {

namespace {

constexpr int kConvBlock = 8;      // output channels per invocation of conv.comp
constexpr int kConvPixels = 4;     // horizontally adjacent output pixels per invocation of conv.comp
constexpr int kConv3x3Pixels = 8;  // the same for conv3x3.comp

int convBlocks(int outC) { return (outC + kConvBlock - 1) / kConvBlock; }

// Blocks of 8 output channels per invocation of the subgroup conv3x3 shader: 1 on GPUs (registers).
// lavapipe (a "cpu" device) loads storage buffer values lane by lane, so there more blocks per
// invocation win by reusing each loaded input value: the choice minimises the blocks computed
// (rounded up to a multiple) times the relative cost per block measured there with
// tools/vk_conv_bench.cpp (1 block 1.0, 2 blocks 0.85, 4 blocks 0.72). MC_VK_CONV3X3_BLOCKS=1|2|4
// forces the count on any device with subgroup broadcasts (benchmarking).
int conv3x3Blocks(int outBlocks, bool cpuDevice) {
    if (const char* forced = std::getenv("MC_VK_CONV3X3_BLOCKS")) {
        const int n = std::atoi(forced);
        if (n == 1 || n == 2 || n == 4) return n;
    }
    if (!cpuDevice) return 1;
    int best = 1;
    double bestCost = outBlocks;
    for (const auto& [n, perBlock] : {std::pair{2, 0.85}, std::pair{4, 0.72}}) {
        const double cost = (outBlocks + n - 1) / n * n * perBlock;
        if (cost < bestCost) best = n, bestCost = cost;
    }
    return best;
}

// The dispatches of a Winograd convolution; its transformed weights are made when a plan first
// needs them (per F(m,3) tile size; fp16 for the cooperative kernels), its bias is read from the
// direct packing (`biasOffset`, in elements).
void winograd(StepContext& ctx, const Conv3x3Choice& choice, int64_t biasOffset, float a0, float a1) {
    const auto& conv = static_cast<const ConvolutionLayer&>(ctx.layer());
    const int in = ctx.bottoms()[0], top = ctx.top();
    const Shape& is = ctx.shape(in);
    const Shape& os = ctx.shape(top);
    const ConvPads pads = conv.padsForInput(is.h, is.w);
    WinogradConv c;
    c.inOff = ctx.offset(in);
    c.outOff = ctx.offset(top);
    c.inW = is.w, c.inH = is.h, c.inC = is.c;
    c.outW = os.w, c.outH = os.h, c.outC = os.c;
    c.padL = pads.left, c.padT = pads.top;
    c.padValue = conv.padValue();
    c.activation = conv.activation().type;
    c.a0 = a0, c.a1 = a1;
    c.biasOff = biasOffset / 4;
    const int m = choice.m();
    const WeightRef u = ctx.extraWeights(m, choice.cooperative(), [&conv, m] { return winogradWeights(conv, m); });
    c.uOff = u.offset;
    ctx.needScratch(winogradScratch(choice, winogradGeometry(choice, is.c, os.c, os.w, os.h)));
    using Bind = WinogradDispatch::Bind;
    for (const WinogradDispatch& d : winogradDispatches(ctx.device(), choice, c)) {
        BufferRef bind[4];
        for (int b = 0; b < 4; ++b) {
            switch (d.bind[b]) {
                case Bind::Input: bind[b] = ctx.slot(in); break;
                case Bind::Output: bind[b] = ctx.slot(top); break;
                case Bind::V: bind[b] = StepContext::scratch(0); break;
                case Bind::M: bind[b] = StepContext::scratch(1); break;
                case Bind::U: bind[b] = StepContext::weightChunk(u); break;
                case Bind::Bias: bind[b] = ctx.weightChunk(); break;
                case Bind::None: bind[b] = StepContext::unused(); break;
            }
        }
        ctx.add(d.shader, d.spec, bind[0], bind[1], bind[2], bind[3], d.push, d.groups[0], d.groups[1], d.groups[2], d.cost, d.storageVariant);
    }
}

}  // namespace

ScratchBytes convolutionScratch(const Layer& layer, const Shape& input, const Shape& output, const Device& device) {
    const auto& conv = static_cast<const ConvolutionLayer&>(layer);
    if (!conv.isPlain3x3()) return {};
    const Conv3x3Choice choice = chooseConv3x3(device, input.c, output.c, output.w, output.h);
    if (!choice.winograd()) return {};
    return winogradScratch(choice, winogradGeometry(choice, input.c, output.c, output.w, output.h));
}

// Weights [ob][ic][ky][kx][8] (zero for padding channels), then the bias [ob][8].
std::vector<float> packConvolution(const Layer& layer) {
    const auto& conv = static_cast<const ConvolutionLayer&>(layer);
    const ConvGeometry& g = conv.convGeometry();
    const int inC = conv.inputChannels(), outC = conv.outputChannels(), taps = g.kernelH * g.kernelW;
    const int blocks = convBlocks(outC);
    const std::vector<float>& w = conv.weights();
    const std::vector<float>& b = conv.biases();
    std::vector<float> out;
    out.reserve(static_cast<size_t>(blocks) * inC * taps * kConvBlock + blocks * kConvBlock);
    for (int ob = 0; ob < blocks; ++ob)
        for (int ic = 0; ic < inC; ++ic)
            for (int t = 0; t < taps; ++t)
                for (int j = 0; j < kConvBlock; ++j) {
                    const int o = ob * kConvBlock + j;
                    out.push_back(o < outC ? w[(static_cast<size_t>(o) * inC + ic) * taps + t] : 0.f);
                }
    for (int o = 0; o < blocks * kConvBlock; ++o) out.push_back(o < outC ? b[o] : 0.f);
    return out;
}

void convolution(StepContext& ctx) {
    const auto& conv = static_cast<const ConvolutionLayer&>(ctx.layer());
    const ConvGeometry& g = conv.convGeometry();
    const int in = ctx.bottoms()[0], top = ctx.top();
    const Shape& is = ctx.shape(in);
    const Shape& os = ctx.shape(top);
    const uint64_t plane = static_cast<uint64_t>(os.h) * os.w;
    const ConvPads pads = conv.padsForInput(is.h, is.w);
    const FusedActivation& act = conv.activation();
    float a0 = 0.f, a1 = 0.f;
    if (act.type == 2) a0 = act.param(0, 0.f);
    if (act.type == 3) a0 = act.param(0, -INFINITY), a1 = act.param(1, INFINITY);
    if (act.type == 6) a0 = act.param(0, 0.2f), a1 = act.param(1, 0.5f);
    const uint64_t wFloats = static_cast<uint64_t>(convBlocks(os.c)) * is.c * g.kernelH * g.kernelW * kConvBlock;
    Push p;
    p.i(ctx.offset(in)).i(ctx.offset(top)).i(ctx.weightOffset() / 4).i((ctx.weightOffset() + wFloats) / 4);
    p.i(is.w).i(is.h).i(is.c).i(os.w).i(os.h).i(os.c).i(pads.left).i(pads.top);
    p.f(conv.padValue()).f(a0).f(a1);
    const bool threeByThree = conv.isPlain3x3();
    Device& device = ctx.device();
    if (threeByThree) {
        const Conv3x3Choice choice = chooseConv3x3(device, is.c, os.c, os.w, os.h);
        if (choice.winograd()) return winograd(ctx, choice, static_cast<int64_t>(ctx.weightOffset() + wFloats), a0, a1);
    }
    const bool subgroup = threeByThree && device.subgroupBroadcast8();
    const int blocks = subgroup ? conv3x3Blocks(convBlocks(os.c), device.info().type == "cpu") : 1;
    const std::string shader = !threeByThree ? "conv"
                               : !subgroup   ? "conv3x3_plain"
                               : blocks == 1 ? "conv3x3"
                                             : "conv3x3_b" + std::to_string(blocks);
    const std::vector<int32_t> spec = {0, 0, g.kernelW, g.kernelH, g.dilationW, g.dilationH, g.strideW, g.strideH, act.type};
    const double macs = static_cast<double>(plane) * os.c * is.c * g.kernelH * g.kernelW;
    if (threeByThree) {
        // conv3x3.glsl numbers its invocations linearly over (8-pixel block, row): 1D groups of 64,
        // spilling into y past the 65535 groups every device supports in x.
        const uint64_t invocations = static_cast<uint64_t>(divUp(os.w, kConv3x3Pixels)) * os.h;
        const uint32_t groups = divUp(invocations, 64), gx = std::min<uint32_t>(groups, 65535);
        std::vector<int32_t> s = spec;
        s[0] = 64, s[1] = 1;
        ctx.add(shader, s, ctx.slot(in), StepContext::unused(), ctx.slot(top), ctx.weightChunk(), p, gx, divUp(groups, gx),
                divUp(convBlocks(os.c), blocks), macs);
        return;
    }
    // Work group shape (64 invocations): the one that wastes the fewest pixels on this output.
    int lx = 8;
    uint64_t best = UINT64_MAX;
    for (int x : {16, 8, 4, 2, 1}) {
        const int y = 64 / x;
        const uint64_t covered = static_cast<uint64_t>(divUp(divUp(os.w, kConvPixels), x)) * x * kConvPixels * divUp(os.h, y) * y;
        if (covered < best) best = covered, lx = x;
    }
    const int ly = 64 / lx;
    std::vector<int32_t> s = spec;
    s[0] = lx, s[1] = ly;
    ctx.add(shader, s, ctx.slot(in), StepContext::unused(), ctx.slot(top), ctx.weightChunk(), p, divUp(divUp(os.w, kConvPixels), lx),
            divUp(os.h, ly), divUp(convBlocks(os.c), blocks), macs);
}

}  // namespace esrgan::vk::ops
