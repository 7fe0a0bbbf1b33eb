#include "ops/structural.h"

namespace esrgan {

InputLayer::InputLayer(const LayerSpec& spec) : Layer(OpKind::Input, spec), channels_(spec.params.getInt(2, 0)) {}

std::vector<Shape> InputLayer::outputShapes(const std::vector<Shape>& inputs) const {
    expectInputs(inputs, 1);
    if (channels_ > 0 && inputs[0].c != channels_)
        fail("declares " + std::to_string(channels_) + " channels but is fed " + std::to_string(inputs[0].c));
    return {inputs[0]};
}

std::vector<Shape> SplitLayer::outputShapes(const std::vector<Shape>& inputs) const {
    expectInputs(inputs, 1);
    return std::vector<Shape>(outputs_, inputs[0]);
}

ConcatLayer::ConcatLayer(const LayerSpec& spec) : Layer(OpKind::Concat, spec) {
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

}  // namespace esrgan
