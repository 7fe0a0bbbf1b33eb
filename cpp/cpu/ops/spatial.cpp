// CPU Interp, PixelShuffle and Reorg.
#include <algorithm>
#include <vector>

#include "cpu/ops/cpu_ops.h"
#include "ops/spatial.h"

namespace esrgan::cpuops {

namespace {

class InterpKernel : public CpuKernel {
public:
    explicit InterpKernel(const InterpLayer& layer) : layer_(layer) {}

    void run(const std::vector<Tensor>& inputs, Tensor& out) const override {
        const Tensor& in = inputs[0];
        ResampleTaps ty, tx;
        layer_.resampleTaps(in.shape(), ty, tx);
        const int channels = in.c();
#pragma omp parallel for schedule(static)
        for (int y = 0; y < out.h(); ++y) {
            std::vector<float> acc(channels);
            for (int x = 0; x < out.w(); ++x) {
                std::fill(acc.begin(), acc.end(), 0.f);
                for (int ky = 0; ky < ty.taps; ++ky) {
                    const float wy = ty.weight[y * ty.taps + ky];
                    const int sy = ty.index[y * ty.taps + ky];
                    for (int kx = 0; kx < tx.taps; ++kx) {
                        const float w = wy * tx.weight[x * tx.taps + kx];
                        const float* p = in.pixel(sy, tx.index[x * tx.taps + kx]);
                        for (int c = 0; c < channels; ++c) acc[c] += w * p[c];
                    }
                }
                std::copy(acc.begin(), acc.end(), out.pixel(y, x));
            }
        }
    }

private:
    const InterpLayer& layer_;
};

class PixelShuffleKernel : public CpuKernel {
public:
    explicit PixelShuffleKernel(const PixelShuffleLayer& layer) : layer_(layer) {}

    void run(const std::vector<Tensor>& inputs, Tensor& out) const override {
        const Tensor& in = inputs[0];
        const int r = layer_.factor(), outC = out.c(), mode = layer_.mode();
#pragma omp parallel for schedule(static)
        for (int oy = 0; oy < out.h(); ++oy)
            for (int ox = 0; ox < out.w(); ++ox) {
                const int i = oy % r, j = ox % r;
                const float* src = in.pixel(oy / r, ox / r);
                float* dst = out.pixel(oy, ox);
                for (int c = 0; c < outC; ++c) dst[c] = src[mode == 0 ? c * r * r + i * r + j : (i * r + j) * outC + c];
            }
    }

private:
    const PixelShuffleLayer& layer_;
};

class ReorgKernel : public CpuKernel {
public:
    explicit ReorgKernel(const ReorgLayer& layer) : layer_(layer) {}

    void run(const std::vector<Tensor>& inputs, Tensor& out) const override {
        const Tensor& in = inputs[0];
        const int s = layer_.stride(), inC = in.c(), mode = layer_.mode();
#pragma omp parallel for schedule(static)
        for (int y = 0; y < out.h(); ++y)
            for (int x = 0; x < out.w(); ++x) {
                float* dst = out.pixel(y, x);
                for (int i = 0; i < s; ++i)
                    for (int j = 0; j < s; ++j) {
                        const float* src = in.pixel(y * s + i, x * s + j);
                        for (int c = 0; c < inC; ++c) dst[mode == 0 ? c * s * s + i * s + j : (i * s + j) * inC + c] = src[c];
                    }
            }
    }

private:
    const ReorgLayer& layer_;
};

}  // namespace

std::unique_ptr<CpuKernel> interp(const Layer& layer, const CpuKernelContext&) {
    return std::make_unique<InterpKernel>(static_cast<const InterpLayer&>(layer));
}

std::unique_ptr<CpuKernel> pixelShuffle(const Layer& layer, const CpuKernelContext&) {
    return std::make_unique<PixelShuffleKernel>(static_cast<const PixelShuffleLayer&>(layer));
}

std::unique_ptr<CpuKernel> reorg(const Layer& layer, const CpuKernelContext&) {
    return std::make_unique<ReorgKernel>(static_cast<const ReorgLayer&>(layer));
}

}  // namespace esrgan::cpuops
