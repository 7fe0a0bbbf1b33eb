#pragma once
#include "ops/layer.h"

namespace esrgan {

class InputLayer : public Layer {
public:
    explicit InputLayer(const LayerSpec& spec);
    int channels() const { return channels_; }  // 0 = any
    std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
    std::vector<Tensor> forward(const std::vector<Tensor>& inputs, ExecContext& ctx) const override;

private:
    int channels_;
};

class SplitLayer : public Layer {
public:
    explicit SplitLayer(const LayerSpec& spec) : Layer(spec), outputs_(static_cast<int>(spec.tops.size())) {}
    bool acceptsChannelViews() const override { return true; }
    std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
    std::vector<Tensor> forward(const std::vector<Tensor>& inputs, ExecContext& ctx) const override;

private:
    int outputs_;
};

class ConcatLayer : public Layer {
public:
    explicit ConcatLayer(const LayerSpec& spec);
    std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
    std::vector<Tensor> forward(const std::vector<Tensor>& inputs, ExecContext& ctx) const override;
};

}  // namespace esrgan
