#pragma once
#include <map>
#include <memory>
#include <mutex>

#include "ops/layer.h"

namespace esrgan {

namespace winograd {
class Conv3x3;
}

struct FusedActivation {
    int type = 0;  // 0 none, 1 ReLU, 2 LeakyReLU, 3 Clip, 4 Sigmoid, 5 Mish, 6 HardSwish
    std::vector<float> params;
    float apply(float x) const;
};

struct ConvGeometry {
    int kernelW, kernelH, dilationW, dilationH, strideW, strideH;
    int padLeft, padRight, padTop, padBottom;  // may be -233 (SAME_UPPER) / -234 (SAME_LOWER)
};

struct ConvPads {
    int left, right, top, bottom;
};

// 2-D convolution (cross-correlation as in PyTorch) with bias and fused activation,
// executed by oneDNN. One compiled primitive is kept per input size.
// 3x3 / stride 1 / pad 1 convolutions with enough channels and no or (Leaky)ReLU activation run
// as Winograd F(4,3) instead (cpu/winograd3x3.h) on AVX2+FMA CPUs. The environment variable
// MC_CONV selects: unset or "auto" (default), "onednn" (always oneDNN), "winograd" (Winograd
// F(4,3) wherever the kernels support the layer), "winograd2" (likewise with F(2,3)).
class ConvolutionLayer : public Layer {
public:
    explicit ConvolutionLayer(const LayerSpec& spec);
    ~ConvolutionLayer() override;
    void loadWeights(WeightReader& reader) override;
    std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
    std::vector<Tensor> forward(const std::vector<Tensor>& inputs, ExecContext& ctx) const override;
    Geometry geometry(const std::vector<Geometry>& inputs) const override;
    bool acceptsChannelViews() const override { return true; }

    int inputChannels() const { return inputChannels_; }
    int outputChannels() const { return outputChannels_; }

    // Read-only access for other executors (cpp/vulkan).
    const ConvGeometry& convGeometry() const { return g_; }
    ConvPads padsForInput(int h, int w) const { return padsFor(h, w); }  // SAME modes resolved
    float padValue() const { return padValue_; }
    const FusedActivation& activation() const { return activation_; }
    const std::vector<float>& weights() const { return weights_; }  // OIHW, decoded to fp32
    const std::vector<float>& biases() const { return biases_; }    // zeros without bias_term

private:
    struct Compiled;
    ConvPads padsFor(int h, int w) const;
    const Compiled& compiled(const Shape& input, ExecContext& ctx) const;
    // The Winograd convolution to run for this input, or null for the oneDNN path.
    const winograd::Conv3x3* winogradFor(const Shape& input) const;

    int outputChannels_;
    int inputChannels_ = 0;
    int weightDataSize_;
    int int8ScaleTerm_ = 0;
    bool bias_;
    float padValue_;
    ConvGeometry g_;
    FusedActivation activation_;
    std::vector<float> weights_;  // OIHW
    std::vector<float> biases_;
    int winogradDefaultTile_ = 0;  // 0: oneDNN by default; else the F(m,3) tile that wins for these channels
    bool winogradCapable_ = false; // geometry, activation and channels fit the Winograd kernels

    mutable std::mutex mutex_;
    mutable std::map<std::pair<int, int>, std::unique_ptr<Compiled>> cache_;
    mutable std::unique_ptr<winograd::Conv3x3> winograd_[2];  // F(2,3), F(4,3); weights transformed on first use
};

}  // namespace esrgan
