#pragma once
#include "ops/layer.h"

namespace esrgan {

class InputLayer : public Layer {
public:
    explicit InputLayer(const LayerSpec& spec);
    int channels() const { return channels_; }  // 0 = any
    std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;

private:
    int channels_;
};

class SplitLayer : public Layer {
public:
    explicit SplitLayer(const LayerSpec& spec) : Layer(OpKind::Split, spec), outputs_(static_cast<int>(spec.tops.size())) {}
    std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;

private:
    int outputs_;
};

class ConcatLayer : public Layer {
public:
    explicit ConcatLayer(const LayerSpec& spec);
    std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
};

}  // namespace esrgan
