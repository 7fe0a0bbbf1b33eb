#include <climits>
#include "ops/convolution.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "cpu/cpu_engine.h"
#include "cpu/winograd3x3.h"
#include "model/weight_reader.h"

namespace esrgan {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

namespace {

constexpr int kSameUpper = -233;
constexpr int kSameLower = -234;

memory::desc channelsLastDesc(const Shape& s) { return memory::desc({1, s.c, s.h, s.w}, dt::f32, tag::nhwc); }

void samePads(int in, int kernelExtent, int stride, int mode, int& before, int& after) {
    int out = (in + stride - 1) / stride;
    int total = std::max((out - 1) * stride + kernelExtent - in, 0);
    before = mode == kSameUpper ? total / 2 : total - total / 2;
    after = total - before;
}

enum class ConvMode { Auto, OneDnn, Winograd4, Winograd2 };

ConvMode convMode() {
    const char* env = std::getenv("MC_CONV");
    if (!env || !*env || std::strcmp(env, "auto") == 0) return ConvMode::Auto;
    if (std::strcmp(env, "onednn") == 0) return ConvMode::OneDnn;
    if (std::strcmp(env, "winograd") == 0) return ConvMode::Winograd4;
    if (std::strcmp(env, "winograd2") == 0) return ConvMode::Winograd2;
    return ConvMode::Auto;
}

bool winogradCpu() {
    static const bool supported = winograd::cpuSupported();
    return supported;
}

// Which F(m,3) beats oneDNN's direct convolution for a channel configuration (0: none), from
// cpp/tools/conv_bench.cpp on a 2-core AVX2 EPYC (156x156, 2 threads): F(4,3) runs the x4plus
// trunk shapes (64..192 -> 32/64) at 160-215 GMAC/s against oneDNN's 70-77 (F(2,3): 120-160),
// 64->3 at 1.5x and 16->16 at 1.45x; with under 16 input channels (3->64, 8->16) the transforms
// dominate and oneDNN keeps the layer.
int winogradTileFor(int inC, int outC) {
    if (!winograd::supportsChannels(inC, outC)) return 0;
    return inC >= 16 ? 4 : 0;
}

}  // namespace

float FusedActivation::apply(float x) const {
    auto p = [this](size_t i, float d) { return i < params.size() ? params[i] : d; };
    switch (type) {
        case 1: return x > 0.f ? x : 0.f;
        case 2: return x > 0.f ? x : x * p(0, 0.f);
        case 3: return std::min(std::max(x, p(0, -INFINITY)), p(1, INFINITY));
        case 4: return 1.f / (1.f + std::exp(-x));
        case 5: return x * std::tanh(std::log1p(std::exp(x)));
        case 6: return x * std::min(std::max(p(0, 0.2f) * x + p(1, 0.5f), 0.f), 1.f);
        default: return x;
    }
}

struct ConvolutionLayer::Compiled {
    dnnl::convolution_forward primitive;
    memory::desc srcDesc, dstDesc;
    memory weights, bias;
    bool srcReorder = false, dstReorder = false;
};

ConvolutionLayer::ConvolutionLayer(const LayerSpec& spec) : Layer(spec) {
    const ParamDict& p = spec.params;
    outputChannels_ = p.getInt(0, 0);
    g_.kernelW = p.getInt(1, 0);
    g_.kernelH = p.getInt(11, g_.kernelW);
    g_.dilationW = p.getInt(2, 1);
    g_.dilationH = p.getInt(12, g_.dilationW);
    g_.strideW = p.getInt(3, 1);
    g_.strideH = p.getInt(13, g_.strideW);
    g_.padLeft = p.getInt(4, 0);
    g_.padRight = p.getInt(15, g_.padLeft);
    g_.padTop = p.getInt(14, g_.padLeft);
    g_.padBottom = p.getInt(16, g_.padTop);
    padValue_ = p.getFloat(18, 0.f);
    bias_ = p.getInt(5, 0) != 0;
    weightDataSize_ = p.getInt(6, 0);
    int8ScaleTerm_ = p.getInt(8, 0);
    activation_.type = p.getInt(9, 0);
    activation_.params = p.getFloats(10);

    if (outputChannels_ <= 0) fail("num_output must be positive");
    if (g_.kernelW <= 0 || g_.kernelH <= 0) fail("kernel size must be positive");
    if (g_.dilationW <= 0 || g_.dilationH <= 0 || g_.strideW <= 0 || g_.strideH <= 0) fail("stride and dilation must be positive");
    for (int pad : {g_.padLeft, g_.padRight, g_.padTop, g_.padBottom})
        if (pad < 0 && pad != kSameUpper && pad != kSameLower) fail("negative padding " + std::to_string(pad));
    if (p.getInt(19, 0) != 0) fail("dynamic weights are not supported");
    if (p.getInt(7, 1) > 1) fail("grouped convolutions are not supported");
    if (activation_.type < 0 || activation_.type > 6) fail("unknown activation_type " + std::to_string(activation_.type));
    // In 64 bits: num_output*kernel_w*kernel_h can overflow an int (to 0, then weight_data_size % 0 is SIGFPE).
    long long perInputWide = static_cast<long long>(outputChannels_) * g_.kernelW;
    if (perInputWide <= INT_MAX) perInputWide *= g_.kernelH;
    if (perInputWide > INT_MAX)
        fail("num_output*kernel_w*kernel_h is too large (num_output " + std::to_string(outputChannels_) + ", kernel " +
             std::to_string(g_.kernelW) + "x" + std::to_string(g_.kernelH) + ")");
    const int perInput = static_cast<int>(perInputWide);
    if (weightDataSize_ <= 0 || weightDataSize_ % perInput != 0)
        fail("weight_data_size " + std::to_string(weightDataSize_) + " is not a multiple of num_output*kernel_w*kernel_h = " +
             std::to_string(perInput));
    inputChannels_ = weightDataSize_ / perInput;

    // Padding is checked per input in winogradFor (SAME padding resolves to 1 on every side here).
    winogradCapable_ = g_.kernelW == 3 && g_.kernelH == 3 && g_.strideW == 1 && g_.strideH == 1 && g_.dilationW == 1 &&
                       g_.dilationH == 1 && padValue_ == 0.f && activation_.type >= 0 && activation_.type <= 2 &&
                       winograd::supportsChannels(inputChannels_, outputChannels_);
    winogradDefaultTile_ = winogradCapable_ ? winogradTileFor(inputChannels_, outputChannels_) : 0;
}

ConvolutionLayer::~ConvolutionLayer() = default;

void ConvolutionLayer::loadWeights(WeightReader& reader) {
    const size_t weightsOffset = reader.consumed();
    bool int8 = false;
    weights_ = reader.readTagged(weightDataSize_, "layer '" + name() + "' weights", &int8);
    if (bias_) biases_ = reader.readUntagged(outputChannels_, "layer '" + name() + "' bias");
    else biases_.assign(outputChannels_, 0.f);
    if (int8ScaleTerm_ != 0) {
        // Quantization scales: per output channel for the weights, then the input's (and the
        // output's when > 100). We compute in fp32, so only the weight scales matter.
        std::vector<float> scales = reader.readUntagged(outputChannels_, "layer '" + name() + "' int8 weight scales");
        reader.readUntagged(1, "layer '" + name() + "' int8 input scale");
        if (int8ScaleTerm_ > 100) reader.readUntagged(1, "layer '" + name() + "' int8 output scale");
        if (int8) {
            const size_t perOutput = weights_.size() / outputChannels_;
            for (int o = 0; o < outputChannels_; ++o) {
                if (!(scales[o] != 0.f) || !std::isfinite(scales[o]))
                    fail("int8 weight scale of output channel " + std::to_string(o) + " is " + std::to_string(scales[o]));
                for (size_t k = 0; k < perOutput; ++k) weights_[o * perOutput + k] /= scales[o];
            }
        }
    } else if (int8) {
        fail("weights at .bin offset " + std::to_string(weightsOffset) + " are int8 but int8_scale_term is 0, so they cannot be dequantized");
    }
}

ConvPads ConvolutionLayer::padsFor(int h, int w) const {
    ConvPads pads{g_.padLeft, g_.padRight, g_.padTop, g_.padBottom};
    const int extW = (g_.kernelW - 1) * g_.dilationW + 1, extH = (g_.kernelH - 1) * g_.dilationH + 1;
    if (g_.padLeft == kSameUpper || g_.padLeft == kSameLower) {
        samePads(w, extW, g_.strideW, g_.padLeft, pads.left, pads.right);
        samePads(h, extH, g_.strideH, g_.padLeft, pads.top, pads.bottom);
    }
    return pads;
}

std::vector<Shape> ConvolutionLayer::outputShapes(const std::vector<Shape>& inputs) const {
    expectInputs(inputs, 1);
    const Shape& in = inputs[0];
    if (in.c != inputChannels_)
        fail("expects " + std::to_string(inputChannels_) + " input channels (from weight_data_size) but gets " + std::to_string(in.c));
    ConvPads pads = padsFor(in.h, in.w);
    const int extW = (g_.kernelW - 1) * g_.dilationW + 1, extH = (g_.kernelH - 1) * g_.dilationH + 1;
    int outH = (in.h + pads.top + pads.bottom - extH) / g_.strideH + 1;
    int outW = (in.w + pads.left + pads.right - extW) / g_.strideW + 1;
    if (in.h + pads.top + pads.bottom < extH || in.w + pads.left + pads.right < extW)
        fail("input " + std::to_string(in.w) + "x" + std::to_string(in.h) + " is smaller than the kernel");
    return {Shape{outputChannels_, outH, outW}};
}

Geometry ConvolutionLayer::geometry(const std::vector<Geometry>& inputs) const {
    const double extent = std::max((g_.kernelW - 1) * g_.dilationW, (g_.kernelH - 1) * g_.dilationH) / 2.0;
    return Geometry{inputs[0].scale / g_.strideW, inputs[0].radius + extent / inputs[0].scale};
}

const ConvolutionLayer::Compiled& ConvolutionLayer::compiled(const Shape& input, ExecContext& ctx) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto key = std::make_pair(input.h, input.w);
    auto found = cache_.find(key);
    if (found != cache_.end()) return *found->second;

    dnnl::engine& engine = ctx.cpu->engine();
    const bool explicitPad = padValue_ != 0.f;
    ConvPads pads = explicitPad ? ConvPads{0, 0, 0, 0} : padsFor(input.h, input.w);
    // With a non-zero pad value the input arrives already padded (see forward).
    Shape out = explicitPad ? Shape{outputChannels_, (input.h - ((g_.kernelH - 1) * g_.dilationH + 1)) / g_.strideH + 1,
                                    (input.w - ((g_.kernelW - 1) * g_.dilationW + 1)) / g_.strideW + 1}
                            : outputShapes({input})[0];

    memory::desc srcAny({1, input.c, input.h, input.w}, dt::f32, tag::any);
    memory::desc dstAny({1, out.c, out.h, out.w}, dt::f32, tag::any);
    memory::desc weightsAny({outputChannels_, inputChannels_, g_.kernelH, g_.kernelW}, dt::f32, tag::any);
    memory::desc biasDesc({outputChannels_}, dt::f32, tag::a);

    dnnl::post_ops postOps;
    auto param = [this](size_t i, float d) { return i < activation_.params.size() ? activation_.params[i] : d; };
    switch (activation_.type) {
        case 1: postOps.append_eltwise(dnnl::algorithm::eltwise_relu, 0.f, 0.f); break;
        case 2: postOps.append_eltwise(dnnl::algorithm::eltwise_relu, param(0, 0.f), 0.f); break;
        case 3: postOps.append_eltwise(dnnl::algorithm::eltwise_clip, param(0, -INFINITY), param(1, INFINITY)); break;
        case 4: postOps.append_eltwise(dnnl::algorithm::eltwise_logistic, 0.f, 0.f); break;
        case 5: postOps.append_eltwise(dnnl::algorithm::eltwise_mish, 0.f, 0.f); break;
        case 6: postOps.append_eltwise(dnnl::algorithm::eltwise_hardswish, param(0, 0.2f), param(1, 0.5f)); break;
        default: break;
    }
    dnnl::primitive_attr attr;
    attr.set_post_ops(postOps);

    auto pd = dnnl::convolution_forward::primitive_desc(
        engine, dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, srcAny, weightsAny, biasDesc, dstAny,
        {g_.strideH, g_.strideW}, {g_.dilationH - 1, g_.dilationW - 1}, {pads.top, pads.left}, {pads.bottom, pads.right}, attr);

    auto c = std::make_unique<Compiled>();
    c->primitive = dnnl::convolution_forward(pd);
    c->srcDesc = pd.src_desc();
    c->dstDesc = pd.dst_desc();
    c->srcReorder = c->srcDesc != channelsLastDesc(input);
    c->dstReorder = c->dstDesc != channelsLastDesc(out);

    memory userWeights({{outputChannels_, inputChannels_, g_.kernelH, g_.kernelW}, dt::f32, tag::oihw}, engine,
                       const_cast<float*>(weights_.data()));
    c->weights = memory(pd.weights_desc(), engine);
    dnnl::reorder(userWeights, c->weights).execute(ctx.cpu->stream(), userWeights, c->weights);
    c->bias = memory(biasDesc, engine);
    std::copy(biases_.begin(), biases_.end(), static_cast<float*>(c->bias.get_data_handle()));
    ctx.cpu->stream().wait();
    return *cache_.emplace(key, std::move(c)).first->second;
}

const winograd::Conv3x3* ConvolutionLayer::winogradFor(const Shape& input) const {
    if (!winogradCapable_ || input.c != inputChannels_ || input.h < 1 || input.w < 1) return nullptr;
    const ConvPads pads = padsFor(input.h, input.w);
    if (pads.left != 1 || pads.right != 1 || pads.top != 1 || pads.bottom != 1) return nullptr;
    int tile = 0;
    switch (convMode()) {
        case ConvMode::OneDnn: return nullptr;
        case ConvMode::Auto: tile = winogradDefaultTile_; break;
        case ConvMode::Winograd4: tile = 4; break;
        case ConvMode::Winograd2: tile = 2; break;
    }
    if (tile == 0 || !winogradCpu()) return nullptr;
    std::lock_guard<std::mutex> lock(mutex_);
    std::unique_ptr<winograd::Conv3x3>& slot = winograd_[tile == 4 ? 1 : 0];
    if (!slot) slot = std::make_unique<winograd::Conv3x3>(tile, inputChannels_, outputChannels_, weights_.data(), biases_.data());
    return slot.get();
}

std::vector<Tensor> ConvolutionLayer::forward(const std::vector<Tensor>& inputs, ExecContext& ctx) const {
    if (const winograd::Conv3x3* wg = winogradFor(inputs[0].shape())) {
        const Tensor& in = inputs[0];
        Tensor out = Tensor::uninitialized(Shape{outputChannels_, in.h(), in.w()});
        const float slope = activation_.type == 2 && !activation_.params.empty() ? activation_.params[0] : 0.f;
        wg->run(in.data(), in.pitch(), in.h(), in.w(), out.data(), activation_.type != 0, slope);
        return {out};
    }
    Tensor in = inputs[0].densified();
    if (padValue_ != 0.f) {
        ConvPads pads = padsFor(in.h(), in.w());
        Tensor padded = Tensor::uninitialized(Shape{in.c(), in.h() + pads.top + pads.bottom, in.w() + pads.left + pads.right});
        for (int c = 0; c < padded.c(); ++c)
            for (int y = 0; y < padded.h(); ++y)
                for (int x = 0; x < padded.w(); ++x) {
                    int sy = y - pads.top, sx = x - pads.left;
                    bool inside = sy >= 0 && sx >= 0 && sy < in.h() && sx < in.w();
                    padded.at(c, y, x) = inside ? in.at(c, sy, sx) : padValue_;
                }
        in = padded;
    }
    const Compiled& c = compiled(in.shape(), ctx);
    dnnl::engine& engine = ctx.cpu->engine();
    dnnl::stream& stream = ctx.cpu->stream();

    Shape outShape{outputChannels_, static_cast<int>(c.dstDesc.get_dims()[2]), static_cast<int>(c.dstDesc.get_dims()[3])};
    Tensor out = Tensor::uninitialized(outShape);

    memory src(channelsLastDesc(in.shape()), engine, in.data());
    memory dst(channelsLastDesc(outShape), engine, out.data());
    memory convSrc = src, convDst = dst;
    if (c.srcReorder) {
        convSrc = memory(c.srcDesc, engine);
        dnnl::reorder(src, convSrc).execute(stream, src, convSrc);
    }
    if (c.dstReorder) convDst = memory(c.dstDesc, engine);
    c.primitive.execute(stream, {{DNNL_ARG_SRC, convSrc}, {DNNL_ARG_WEIGHTS, c.weights}, {DNNL_ARG_BIAS, c.bias}, {DNNL_ARG_DST, convDst}});
    if (c.dstReorder) dnnl::reorder(convDst, dst).execute(stream, convDst, dst);
    stream.wait();
    return {out};
}

}  // namespace esrgan
