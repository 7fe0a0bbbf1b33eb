#include "ops/structural.h"

#include <algorithm>

namespace esrgan {

InputLayer::InputLayer(const LayerSpec& spec) : Layer(spec), channels_(spec.params.getInt(2, 0)) {}

std::vector<Shape> InputLayer::outputShapes(const std::vector<Shape>& inputs) const {
    expectInputs(inputs, 1);
    if (channels_ > 0 && inputs[0].c != channels_)
        fail("declares " + std::to_string(channels_) + " channels but is fed " + std::to_string(inputs[0].c));
    return {inputs[0]};
}

std::vector<Tensor> InputLayer::forward(const std::vector<Tensor>& inputs, ExecContext&) const { return {inputs[0]}; }

std::vector<Shape> SplitLayer::outputShapes(const std::vector<Shape>& inputs) const {
    expectInputs(inputs, 1);
    return std::vector<Shape>(outputs_, inputs[0]);
}

std::vector<Tensor> SplitLayer::forward(const std::vector<Tensor>& inputs, ExecContext&) const {
    return std::vector<Tensor>(outputs_, inputs[0]);
}

ConcatLayer::ConcatLayer(const LayerSpec& spec) : Layer(spec) {
    int axis = spec.params.getInt(0, 0);
    if (axis != 0 && axis != -3) fail("only channel concatenation (axis 0) is supported, got axis " + std::to_string(axis));
}

std::vector<Shape> ConcatLayer::outputShapes(const std::vector<Shape>& inputs) const {
    if (inputs.empty()) fail("has no inputs");
    Shape out = inputs[0];
    out.c = 0;
    for (const auto& s : inputs) {
        if (s.h != inputs[0].h || s.w != inputs[0].w)
            fail("inputs differ in size (" + std::to_string(s.w) + "x" + std::to_string(s.h) + " vs " +
                 std::to_string(inputs[0].w) + "x" + std::to_string(inputs[0].h) + ")");
        out.c += s.c;
    }
    return {out};
}

std::vector<Tensor> ConcatLayer::forward(const std::vector<Tensor>& inputs, ExecContext&) const {
    std::vector<Shape> shapes;
    for (const auto& t : inputs) shapes.push_back(t.shape());
    Tensor out = Tensor::uninitialized(outputShapes(shapes)[0]);
    const long pixels = static_cast<long>(out.pixels());
    const int outC = out.c();
    // Pixel-major: each output pixel is written once, sequentially.
#pragma omp parallel for schedule(static)
    for (long p = 0; p < pixels; ++p) {
        float* dst = out.data() + p * outC;
        for (const auto& t : inputs) dst = std::copy_n(t.data() + p * t.c(), t.c(), dst);
    }
    return {out};
}

}  // namespace esrgan
