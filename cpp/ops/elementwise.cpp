#include "ops/elementwise.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "graph/weight_reader.h"

namespace esrgan {

namespace {
void checkSameShapes(const std::vector<Shape>& inputs, const Layer& layer, const std::function<void(const std::string&)>& fail) {
    (void)layer;
    for (const auto& s : inputs)
        if (s != inputs[0])
            fail("inputs differ in shape (" + std::to_string(s.c) + "x" + std::to_string(s.h) + "x" + std::to_string(s.w) +
                 " vs " + std::to_string(inputs[0].c) + "x" + std::to_string(inputs[0].h) + "x" + std::to_string(inputs[0].w) + ")");
}
}  // namespace

EltwiseLayer::EltwiseLayer(const LayerSpec& spec)
    : Layer(OpKind::Eltwise, spec), op_(spec.params.getInt(0, 0)), coeffs_(spec.params.getFloats(1)) {
    if (op_ < 0 || op_ > 2) fail("unknown Eltwise op_type " + std::to_string(op_));
    if (!coeffs_.empty() && coeffs_.size() != spec.bottoms.size())
        fail("has " + std::to_string(coeffs_.size()) + " coefficients for " + std::to_string(spec.bottoms.size()) + " inputs");
}

std::vector<Shape> EltwiseLayer::outputShapes(const std::vector<Shape>& inputs) const {
    if (inputs.size() < 2) fail("needs at least two inputs");
    checkSameShapes(inputs, *this, [this](const std::string& m) { fail(m); });
    return {inputs[0]};
}

float applyBinary(int op, float a, float b) {
    switch (op) {
        case 0: return a + b;
        case 1: return a - b;
        case 2: return a * b;
        case 3: return a / b;
        case 4: return std::max(a, b);
        case 5: return std::min(a, b);
        case 6: return std::pow(a, b);
        case 7: return b - a;
        case 8: return b / a;
        case 9: return std::pow(b, a);
        case 10: return std::atan2(a, b);
        case 11: return std::atan2(b, a);
        default: return 0.f;
    }
}

BinaryOpLayer::BinaryOpLayer(const LayerSpec& spec)
    : Layer(OpKind::BinaryOp, spec), op_(spec.params.getInt(0, 0)), withScalar_(spec.params.getInt(1, 0) != 0), scalar_(spec.params.getFloat(2, 0.f)) {
    if (op_ < 0 || op_ > 11) fail("unknown BinaryOp op_type " + std::to_string(op_));
}

std::vector<Shape> BinaryOpLayer::outputShapes(const std::vector<Shape>& inputs) const {
    if (withScalar_) {
        expectInputs(inputs, 1);
        return {inputs[0]};
    }
    expectInputs(inputs, 2);
    const Shape& a = inputs[0];
    const Shape& b = inputs[1];
    if (a == b) return {a};
    if (b.c == a.c && b.h == 1 && b.w == 1) return {a};
    if (a.c == b.c && a.h == 1 && a.w == 1) return {b};
    fail("cannot broadcast shapes " + std::to_string(a.c) + "x" + std::to_string(a.h) + "x" + std::to_string(a.w) + " and " +
         std::to_string(b.c) + "x" + std::to_string(b.h) + "x" + std::to_string(b.w));
}

PReluLayer::PReluLayer(const LayerSpec& spec) : Layer(OpKind::PReLU, spec), numSlope_(spec.params.getInt(0, 0)) {
    if (numSlope_ <= 0) fail("num_slope must be positive");
}

void PReluLayer::loadWeights(WeightReader& reader) {
    slopes_ = reader.readUntagged(numSlope_, "layer '" + name() + "' slopes");
    requireFinite(slopes_, "slope");
}

std::vector<Shape> PReluLayer::outputShapes(const std::vector<Shape>& inputs) const {
    expectInputs(inputs, 1);
    if (numSlope_ != 1 && numSlope_ != inputs[0].c)
        fail("has " + std::to_string(numSlope_) + " slopes but its input has " + std::to_string(inputs[0].c) + " channels");
    return {inputs[0]};
}

}  // namespace esrgan
