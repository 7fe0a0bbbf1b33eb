// CPU Eltwise, BinaryOp and PReLU: plain loops over pixels and channels (windows with pitches).
#include <algorithm>

#include "cpu/ops/cpu_ops.h"
#include "ops/elementwise.h"

namespace esrgan::cpuops {

namespace {

class EltwiseKernel : public CpuKernel {
public:
    explicit EltwiseKernel(const EltwiseLayer& layer) : layer_(layer) {}

    void run(const std::vector<Tensor>& inputs, Tensor& out) const override {
        const std::vector<float> coeffs = layer_.coeffs().empty() ? std::vector<float>(inputs.size(), 1.f) : layer_.coeffs();
        const int op = layer_.op(), channels = out.c(), width = out.w();
        const size_t n = inputs.size();
#pragma omp parallel for schedule(static)
        for (int y = 0; y < out.h(); ++y)
            for (int x = 0; x < width; ++x) {
                float* o = out.pixel(y, x);
                const float* a = inputs[0].pixel(y, x);
                for (int c = 0; c < channels; ++c) o[c] = op == 1 ? coeffs[0] * a[c] : a[c];
                for (size_t k = 1; k < n; ++k) {
                    const float* b = inputs[k].pixel(y, x);
                    if (op == 0)
                        for (int c = 0; c < channels; ++c) o[c] *= b[c];
                    else if (op == 1)
                        for (int c = 0; c < channels; ++c) o[c] += coeffs[k] * b[c];
                    else
                        for (int c = 0; c < channels; ++c) o[c] = std::max(o[c], b[c]);
                }
            }
    }

private:
    const EltwiseLayer& layer_;
};

class BinaryOpKernel : public CpuKernel {
public:
    explicit BinaryOpKernel(const BinaryOpLayer& layer) : layer_(layer) {}

    void run(const std::vector<Tensor>& inputs, Tensor& out) const override {
        const int op = layer_.op(), channels = out.c(), width = out.w();
        const Tensor& a = inputs[0];
        if (layer_.withScalar()) {
            const float s = layer_.scalar();
#pragma omp parallel for schedule(static)
            for (int y = 0; y < out.h(); ++y)
                for (int x = 0; x < width; ++x) {
                    const float* pa = a.pixel(y, x);
                    float* o = out.pixel(y, x);
                    for (int c = 0; c < channels; ++c) o[c] = applyBinary(op, pa[c], s);
                }
            return;
        }
        const Tensor& b = inputs[1];
        // Either both have the output's shape, or one is a (c, 1, 1) vector broadcast over the other.
        const bool aVector = a.h() == 1 && a.w() == 1 && out.h() * out.w() > 1;
        const bool bVector = b.h() == 1 && b.w() == 1 && out.h() * out.w() > 1;
#pragma omp parallel for schedule(static)
        for (int y = 0; y < out.h(); ++y)
            for (int x = 0; x < width; ++x) {
                const float* pa = aVector ? a.pixel(0, 0) : a.pixel(y, x);
                const float* pb = bVector ? b.pixel(0, 0) : b.pixel(y, x);
                float* o = out.pixel(y, x);
                if (op == 0)
                    for (int c = 0; c < channels; ++c) o[c] = pa[c] + pb[c];
                else
                    for (int c = 0; c < channels; ++c) o[c] = applyBinary(op, pa[c], pb[c]);
            }
    }

private:
    const BinaryOpLayer& layer_;
};

class PReluKernel : public CpuKernel {
public:
    explicit PReluKernel(const PReluLayer& layer) : layer_(layer) {}

    void run(const std::vector<Tensor>& inputs, Tensor& out) const override {
        const Tensor& in = inputs[0];
        const int channels = out.c(), width = out.w();
        std::vector<float> slope(channels);
        for (int c = 0; c < channels; ++c) slope[c] = layer_.slopes()[layer_.slopes().size() == 1 ? 0 : c];
#pragma omp parallel for schedule(static)
        for (int y = 0; y < out.h(); ++y)
            for (int x = 0; x < width; ++x) {
                const float* s = in.pixel(y, x);
                float* o = out.pixel(y, x);
                for (int c = 0; c < channels; ++c) o[c] = s[c] > 0.f ? s[c] : s[c] * slope[c];
            }
    }

private:
    const PReluLayer& layer_;
};

}  // namespace

std::unique_ptr<CpuKernel> eltwise(const Layer& layer, const CpuKernelContext&) {
    return std::make_unique<EltwiseKernel>(static_cast<const EltwiseLayer&>(layer));
}

std::unique_ptr<CpuKernel> binaryOp(const Layer& layer, const CpuKernelContext&) {
    return std::make_unique<BinaryOpKernel>(static_cast<const BinaryOpLayer&>(layer));
}

std::unique_ptr<CpuKernel> prelu(const Layer& layer, const CpuKernelContext&) {
    return std::make_unique<PReluKernel>(static_cast<const PReluLayer&>(layer));
}

}  // namespace esrgan::cpuops
