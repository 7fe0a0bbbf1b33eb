#include "ops/spatial.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace esrgan {

PixelShuffleLayer::PixelShuffleLayer(const LayerSpec& spec)
    : Layer(OpKind::PixelShuffle, spec), factor_(spec.params.getInt(0, 1)), mode_(spec.params.getInt(1, 0)) {
    if (factor_ < 1) fail("upscale_factor must be at least 1");
    // factor^2 must fit an int: 65536^2 wraps to 0 and channels % 0 would kill the process (SIGFPE).
    if (factor_ > 46340) fail("upscale_factor " + std::to_string(factor_) + " is too large");
    if (mode_ != 0 && mode_ != 1) fail("unknown mode " + std::to_string(mode_));
}

std::vector<Shape> PixelShuffleLayer::outputShapes(const std::vector<Shape>& inputs) const {
    expectInputs(inputs, 1);
    const int rr = factor_ * factor_;
    if (inputs[0].c % rr != 0)
        fail(std::to_string(inputs[0].c) + " input channels are not divisible by upscale_factor^2 = " + std::to_string(rr));
    return {Shape{inputs[0].c / rr, inputs[0].h * factor_, inputs[0].w * factor_}};
}

Geometry PixelShuffleLayer::geometry(const std::vector<Geometry>& inputs) const {
    return Geometry{inputs[0].scale * factor_, inputs[0].radius};
}

ReorgLayer::ReorgLayer(const LayerSpec& spec) : Layer(OpKind::Reorg, spec), stride_(spec.params.getInt(0, 1)), mode_(spec.params.getInt(1, 0)) {
    if (stride_ < 1) fail("stride must be at least 1");
    if (stride_ > 46340) fail("stride " + std::to_string(stride_) + " is too large");
    if (mode_ != 0 && mode_ != 1) fail("unknown mode " + std::to_string(mode_));
}

std::vector<Shape> ReorgLayer::outputShapes(const std::vector<Shape>& inputs) const {
    expectInputs(inputs, 1);
    const Shape& s = inputs[0];
    if (s.h % stride_ != 0 || s.w % stride_ != 0)
        fail("input " + std::to_string(s.w) + "x" + std::to_string(s.h) + " is not divisible by stride " + std::to_string(stride_));
    return {Shape{s.c * stride_ * stride_, s.h / stride_, s.w / stride_}};
}

Geometry ReorgLayer::geometry(const std::vector<Geometry>& inputs) const {
    return Geometry{inputs[0].scale / stride_, inputs[0].radius + (stride_ - 1) / inputs[0].scale};
}

InterpLayer::InterpLayer(const LayerSpec& spec)
    : Layer(OpKind::Interp, spec),
      heightScale_(spec.params.getFloat(1, 1.f)),
      widthScale_(spec.params.getFloat(2, 1.f)),
      outH_(spec.params.getInt(3, 0)),
      outW_(spec.params.getInt(4, 0)),
      alignCorner_(spec.params.getInt(6, 0) != 0) {
    int type = spec.params.getInt(0, 0);
    if (type < 1 || type > 3) fail("unsupported resize_type " + std::to_string(type) + " (1 nearest, 2 bilinear, 3 bicubic)");
    type_ = static_cast<ResizeType>(type);
    if (spec.params.getInt(5, 0) != 0) fail("dynamic_target_size is not supported");
    if ((outH_ == 0 || outW_ == 0) && (heightScale_ <= 0.f || widthScale_ <= 0.f)) fail("scales must be positive");
}

std::vector<Shape> InterpLayer::outputShapes(const std::vector<Shape>& inputs) const {
    expectInputs(inputs, 1);
    const Shape& s = inputs[0];
    Shape out{s.c, outH_ ? outH_ : static_cast<int>(s.h * heightScale_), outW_ ? outW_ : static_cast<int>(s.w * widthScale_)};
    if (out.h <= 0 || out.w <= 0) fail("output size would be empty for a " + std::to_string(s.w) + "x" + std::to_string(s.h) + " input");
    return {out};
}

void InterpLayer::resampleTaps(const Shape& input, ResampleTaps& rows, ResampleTaps& columns) const {
    const Shape out = outputShapes({input})[0];
    const float stepY = outH_ ? static_cast<float>(input.h) / out.h : 1.f / heightScale_;
    const float stepX = outW_ ? static_cast<float>(input.w) / out.w : 1.f / widthScale_;
    rows = makeResampleTaps(input.h, out.h, type_, alignCorner_, stepY);
    columns = makeResampleTaps(input.w, out.w, type_, alignCorner_, stepX);
}

Geometry InterpLayer::geometry(const std::vector<Geometry>& inputs) const {
    const double factor = outW_ ? 1.0 : widthScale_;  // a fixed output size has no stable factor
    const double reach = type_ == ResizeType::Nearest ? 0.0 : (type_ == ResizeType::Bilinear ? 1.0 : 2.0);
    return Geometry{inputs[0].scale * factor, inputs[0].radius + reach / inputs[0].scale};
}

}  // namespace esrgan
