#pragma once
#include <map>
#include <memory>
#include <mutex>

#include "ops/layer.h"

namespace esrgan {

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
class ConvolutionLayer : public Layer {
public:
    explicit ConvolutionLayer(const LayerSpec& spec);
    ~ConvolutionLayer() override;
    void loadWeights(WeightReader& reader) override;
    std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
    std::vector<Tensor> forward(const std::vector<Tensor>& inputs, ExecContext& ctx) const override;
    Geometry geometry(const std::vector<Geometry>& inputs) const override;

    int inputChannels() const { return inputChannels_; }
    int outputChannels() const { return outputChannels_; }

private:
    struct Compiled;
    ConvPads padsFor(int h, int w) const;
    const Compiled& compiled(const Shape& input, ExecContext& ctx) const;

    int outputChannels_;
    int inputChannels_ = 0;
    int weightDataSize_;
    bool bias_;
    float padValue_;
    ConvGeometry g_;
    FusedActivation activation_;
    std::vector<float> weights_;  // OIHW
    std::vector<float> biases_;

    mutable std::mutex mutex_;
    mutable std::map<std::pair<int, int>, std::unique_ptr<Compiled>> cache_;
};

}  // namespace esrgan
