#include "ops/convolution.h"

#include <algorithm>
#include <climits>
#include <cmath>

#include "graph/weight_reader.h"

namespace esrgan {

namespace {

constexpr int kSameUpper = -233;
constexpr int kSameLower = -234;

void samePads(int in, int kernelExtent, int stride, int mode, int& before, int& after) {
    int out = (in + stride - 1) / stride;
    int total = std::max((out - 1) * stride + kernelExtent - in, 0);
    before = mode == kSameUpper ? total / 2 : total - total / 2;
    after = total - before;
}

}  // namespace

float FusedActivation::apply(float x) const {
    switch (type) {
        case 1: return x > 0.f ? x : 0.f;
        case 2: return x > 0.f ? x : x * param(0, 0.f);
        case 3: return std::min(std::max(x, param(0, -INFINITY)), param(1, INFINITY));
        case 4: return 1.f / (1.f + std::exp(-x));
        case 5: return x * std::tanh(std::log1p(std::exp(x)));
        case 6: return x * std::min(std::max(param(0, 0.2f) * x + param(1, 0.5f), 0.f), 1.f);
        default: return x;
    }
}

ConvLayerBase::ConvLayerBase(OpKind kind, const LayerSpec& spec) : Layer(kind, spec) {
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
    bias_ = p.getInt(5, 0) != 0;
    weightDataSize_ = p.getInt(6, 0);
    int8ScaleTerm_ = p.getInt(8, 0);
    activation_.type = p.getInt(9, 0);
    activation_.params = p.getFloats(10);

    if (outputChannels_ <= 0) fail("num_output must be positive");
    if (g_.kernelW <= 0 || g_.kernelH <= 0) fail("kernel size must be positive");
    if (g_.dilationW <= 0 || g_.dilationH <= 0 || g_.strideW <= 0 || g_.strideH <= 0) fail("stride and dilation must be positive");
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
}

void ConvLayerBase::loadWeights(WeightReader& reader) {
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
    requireFinite(weights_, "weights");
    requireFinite(biases_, "bias");
}

ConvolutionLayer::ConvolutionLayer(const LayerSpec& spec) : ConvLayerBase(OpKind::Convolution, spec) {
    padValue_ = spec.params.getFloat(18, 0.f);
    for (int pad : {g_.padLeft, g_.padRight, g_.padTop, g_.padBottom})
        if (pad < 0 && pad != kSameUpper && pad != kSameLower) fail("negative padding " + std::to_string(pad));
    if (spec.params.getInt(19, 0) != 0) fail("dynamic weights are not supported");
}

bool ConvolutionLayer::isPlain3x3() const {
    return g_.kernelW == 3 && g_.kernelH == 3 && g_.strideW == 1 && g_.strideH == 1 && g_.dilationW == 1 && g_.dilationH == 1;
}

ConvPads ConvolutionLayer::padsForInput(int h, int w) const {
    ConvPads pads{g_.padLeft, g_.padRight, g_.padTop, g_.padBottom};
    if (g_.padLeft == kSameUpper || g_.padLeft == kSameLower) {
        samePads(w, g_.extentW(), g_.strideW, g_.padLeft, pads.left, pads.right);
        samePads(h, g_.extentH(), g_.strideH, g_.padLeft, pads.top, pads.bottom);
    }
    return pads;
}

std::vector<Shape> ConvolutionLayer::outputShapes(const std::vector<Shape>& inputs) const {
    expectInputs(inputs, 1);
    const Shape& in = inputs[0];
    if (in.c != inputChannels_)
        fail("expects " + std::to_string(inputChannels_) + " input channels (from weight_data_size) but gets " + std::to_string(in.c));
    ConvPads pads = padsForInput(in.h, in.w);
    if (in.h + pads.top + pads.bottom < g_.extentH() || in.w + pads.left + pads.right < g_.extentW())
        fail("input " + std::to_string(in.w) + "x" + std::to_string(in.h) + " is smaller than the kernel");
    int outH = (in.h + pads.top + pads.bottom - g_.extentH()) / g_.strideH + 1;
    int outW = (in.w + pads.left + pads.right - g_.extentW()) / g_.strideW + 1;
    return {Shape{outputChannels_, outH, outW}};
}

Geometry ConvolutionLayer::geometry(const std::vector<Geometry>& inputs) const {
    const double extent = std::max((g_.kernelW - 1) * g_.dilationW, (g_.kernelH - 1) * g_.dilationH) / 2.0;
    return Geometry{inputs[0].scale / g_.strideW, inputs[0].radius + extent / inputs[0].scale};
}

DeconvolutionLayer::DeconvolutionLayer(const LayerSpec& spec) : ConvLayerBase(OpKind::Deconvolution, spec) {
    outputPadRight_ = spec.params.getInt(18, 0);
    outputPadBottom_ = spec.params.getInt(19, outputPadRight_);
    for (int pad : {g_.padLeft, g_.padRight, g_.padTop, g_.padBottom})
        if (pad < 0) fail("padding " + std::to_string(pad) + " is not supported (SAME padding of deconvolutions is not implemented)");
    if (outputPadRight_ < 0 || outputPadBottom_ < 0) fail("negative output padding");
    if (spec.params.getInt(20, 0) != 0 || spec.params.getInt(21, 0) != 0) fail("a fixed output size (output_w/output_h) is not supported");
    if (spec.params.getInt(28, 0) != 0) fail("dynamic weights are not supported");
}

std::vector<Shape> DeconvolutionLayer::outputShapes(const std::vector<Shape>& inputs) const {
    expectInputs(inputs, 1);
    const Shape& in = inputs[0];
    if (in.c != inputChannels_)
        fail("expects " + std::to_string(inputChannels_) + " input channels (from weight_data_size) but gets " + std::to_string(in.c));
    const long long fullH = static_cast<long long>(in.h - 1) * g_.strideH + g_.extentH() + outputPadBottom_;
    const long long fullW = static_cast<long long>(in.w - 1) * g_.strideW + g_.extentW() + outputPadRight_;
    const long long outH = fullH - g_.padTop - g_.padBottom, outW = fullW - g_.padLeft - g_.padRight;
    if (outH <= 0 || outW <= 0) fail("the padding crops away the whole output of a " + std::to_string(in.w) + "x" + std::to_string(in.h) + " input");
    if (outH > INT_MAX / 2 || outW > INT_MAX / 2) fail("the output is too large");
    return {Shape{outputChannels_, static_cast<int>(outH), static_cast<int>(outW)}};
}

Geometry DeconvolutionLayer::geometry(const std::vector<Geometry>& inputs) const {
    // An output pixel sees the input pixels within extent / stride of its position.
    const double reach = std::max(static_cast<double>(g_.extentW()) / g_.strideW, static_cast<double>(g_.extentH()) / g_.strideH) / 2.0;
    return Geometry{inputs[0].scale * g_.strideW, inputs[0].radius + reach / inputs[0].scale};
}

}  // namespace esrgan
