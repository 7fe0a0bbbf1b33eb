#include "ops/elementwise.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "model/weight_reader.h"

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
    : Layer(spec), op_(spec.params.getInt(0, 0)), coeffs_(spec.params.getFloats(1)) {
    if (op_ < 0 || op_ > 2) fail("unknown Eltwise op_type " + std::to_string(op_));
    if (!coeffs_.empty() && coeffs_.size() != spec.bottoms.size())
        fail("has " + std::to_string(coeffs_.size()) + " coefficients for " + std::to_string(spec.bottoms.size()) + " inputs");
}

std::vector<Shape> EltwiseLayer::outputShapes(const std::vector<Shape>& inputs) const {
    if (inputs.size() < 2) fail("needs at least two inputs");
    checkSameShapes(inputs, *this, [this](const std::string& m) { fail(m); });
    return {inputs[0]};
}

std::vector<Tensor> EltwiseLayer::forward(const std::vector<Tensor>& inputs, ExecContext&) const {
    Tensor out = Tensor::uninitialized(inputs[0].shape());
    const long n = static_cast<long>(out.size());
    float* o = out.data();
    std::vector<float> coeffs = coeffs_.empty() ? std::vector<float>(inputs.size(), 1.f) : coeffs_;
    const float* a = inputs[0].data();
    if (op_ == 1 && inputs.size() == 2) {
        const float c0 = coeffs[0], c1 = coeffs[1];
        const float* b = inputs[1].data();
#pragma omp parallel for schedule(static)
        for (long i = 0; i < n; ++i) o[i] = c0 * a[i] + c1 * b[i];
    } else if (op_ == 1) {
        const float c0 = coeffs[0];
#pragma omp parallel for schedule(static)
        for (long i = 0; i < n; ++i) o[i] = c0 * a[i];
        for (size_t k = 1; k < inputs.size(); ++k) {
            const float* b = inputs[k].data();
            const float ck = coeffs[k];
#pragma omp parallel for schedule(static)
            for (long i = 0; i < n; ++i) o[i] += ck * b[i];
        }
    } else {
#pragma omp parallel for schedule(static)
        for (long i = 0; i < n; ++i) o[i] = a[i];
        for (size_t k = 1; k < inputs.size(); ++k) {
            const float* b = inputs[k].data();
            if (op_ == 0) {
#pragma omp parallel for schedule(static)
                for (long i = 0; i < n; ++i) o[i] *= b[i];
            } else {
#pragma omp parallel for schedule(static)
                for (long i = 0; i < n; ++i) o[i] = std::max(o[i], b[i]);
            }
        }
    }
    return {out};
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
    : Layer(spec), op_(spec.params.getInt(0, 0)), withScalar_(spec.params.getInt(1, 0) != 0), scalar_(spec.params.getFloat(2, 0.f)) {
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

std::vector<Tensor> BinaryOpLayer::forward(const std::vector<Tensor>& inputs, ExecContext&) const {
    const int op = op_;
    if (withScalar_) {
        const Tensor& a = inputs[0];
        Tensor out = Tensor::uninitialized(a.shape());
        const long n = static_cast<long>(a.size());
        const float s = scalar_;
#pragma omp parallel for schedule(static)
        for (long i = 0; i < n; ++i) out.data()[i] = applyBinary(op, a.data()[i], s);
        return {out};
    }
    const Tensor& a = inputs[0];
    const Tensor& b = inputs[1];
    if (a.shape() == b.shape()) {
        Tensor out = Tensor::uninitialized(a.shape());
        const long n = static_cast<long>(a.size());
        const float* pa = a.data();
        const float* pb = b.data();
        float* po = out.data();
        if (op == 0) {
#pragma omp parallel for schedule(static)
            for (long i = 0; i < n; ++i) po[i] = pa[i] + pb[i];
        } else {
#pragma omp parallel for schedule(static)
            for (long i = 0; i < n; ++i) po[i] = applyBinary(op, pa[i], pb[i]);
        }
        return {out};
    }
    bool bIsChannelVector = b.h() == 1 && b.w() == 1;
    const Tensor& big = bIsChannelVector ? a : b;
    const Tensor& vec = bIsChannelVector ? b : a;
    Tensor out = Tensor::uninitialized(big.shape());
    for (int c = 0; c < big.c(); ++c) {
        float v = vec.at(c, 0, 0);
        for (int y = 0; y < big.h(); ++y)
            for (int x = 0; x < big.w(); ++x)
                out.at(c, y, x) = bIsChannelVector ? applyBinary(op, big.at(c, y, x), v) : applyBinary(op, v, big.at(c, y, x));
    }
    return {out};
}

PReluLayer::PReluLayer(const LayerSpec& spec) : Layer(spec), numSlope_(spec.params.getInt(0, 0)) {
    if (numSlope_ <= 0) fail("num_slope must be positive");
}

void PReluLayer::loadWeights(WeightReader& reader) { slopes_ = reader.readUntagged(numSlope_, "layer '" + name() + "' slopes"); }

std::vector<Shape> PReluLayer::outputShapes(const std::vector<Shape>& inputs) const {
    expectInputs(inputs, 1);
    if (numSlope_ != 1 && numSlope_ != inputs[0].c)
        fail("has " + std::to_string(numSlope_) + " slopes but its input has " + std::to_string(inputs[0].c) + " channels");
    return {inputs[0]};
}

std::vector<Tensor> PReluLayer::forward(const std::vector<Tensor>& inputs, ExecContext&) const {
    const Tensor& in = inputs[0];
    Tensor out = Tensor::uninitialized(in.shape());
    const long pixels = static_cast<long>(in.pixels());
    const int channels = in.c();
    std::vector<float> slope(channels);
    for (int c = 0; c < channels; ++c) slope[c] = slopes_[numSlope_ == 1 ? 0 : c];
    const float* src = in.data();
    float* dst = out.data();
#pragma omp parallel for schedule(static)
    for (long p = 0; p < pixels; ++p)
        for (int c = 0; c < channels; ++c) {
            float v = src[p * channels + c];
            dst[p * channels + c] = v > 0.f ? v : v * slope[c];
        }
    return {out};
}

}  // namespace esrgan
