#pragma once
#include <vector>

#include "ops/layer.h"

namespace esrgan {

struct FusedActivation {
    int type = 0;  // 0 none, 1 ReLU, 2 LeakyReLU, 3 Clip, 4 Sigmoid, 5 Mish, 6 HardSwish
    std::vector<float> params;
    float apply(float x) const;
    float param(size_t i, float fallback) const { return i < params.size() ? params[i] : fallback; }
};

struct ConvGeometry {
    int kernelW, kernelH, dilationW, dilationH, strideW, strideH;
    int padLeft, padRight, padTop, padBottom;  // may be -233 (SAME_UPPER) / -234 (SAME_LOWER) for Convolution
    int extentW() const { return (kernelW - 1) * dilationW + 1; }
    int extentH() const { return (kernelH - 1) * dilationH + 1; }
};

struct ConvPads {
    int left, right, top, bottom;
};

// What Convolution and Deconvolution share: kernel geometry, bias, fused activation and weights
// [num_output][num_input][kernel_h][kernel_w] decoded to fp32 (int8 dequantized).
class ConvLayerBase : public Layer {
public:
    ConvLayerBase(OpKind kind, const LayerSpec& spec);
    void loadWeights(WeightReader& reader) override;

    int inputChannels() const { return inputChannels_; }
    int outputChannels() const { return outputChannels_; }
    const ConvGeometry& convGeometry() const { return g_; }
    const FusedActivation& activation() const { return activation_; }
    const std::vector<float>& weights() const { return weights_; }  // OIHW, fp32
    const std::vector<float>& biases() const { return biases_; }    // zeros without bias_term

protected:
    int outputChannels_;
    int inputChannels_ = 0;
    ConvGeometry g_;
    FusedActivation activation_;

private:
    int weightDataSize_;
    int int8ScaleTerm_ = 0;
    bool bias_;
    std::vector<float> weights_;
    std::vector<float> biases_;
};

// 2-D convolution (cross-correlation as in PyTorch) with bias and fused activation.
class ConvolutionLayer : public ConvLayerBase {
public:
    explicit ConvolutionLayer(const LayerSpec& spec);
    std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
    Geometry geometry(const std::vector<Geometry>& inputs) const override;

    ConvPads padsForInput(int h, int w) const;  // SAME modes resolved
    float padValue() const { return padValue_; }
    // 3x3, stride 1, dilation 1 (every convolution of the Real-ESRGAN models): the shape fast kernels take.
    bool isPlain3x3() const;

private:
    float padValue_;
};

// Transposed 2-D convolution (PyTorch ConvTranspose2d with weights transposed to [out][in][kh][kw]):
// every input pixel adds its weighted kernel to the output at (y * stride, x * stride); the result
// of size (in - 1) * stride + extent + output_pad is cropped by the pads.
class DeconvolutionLayer : public ConvLayerBase {
public:
    explicit DeconvolutionLayer(const LayerSpec& spec);
    std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
    Geometry geometry(const std::vector<Geometry>& inputs) const override;
    int outputPadRight() const { return outputPadRight_; }
    int outputPadBottom() const { return outputPadBottom_; }

private:
    int outputPadRight_, outputPadBottom_;
};

}  // namespace esrgan
