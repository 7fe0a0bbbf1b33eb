#pragma once
#include "ops/layer.h"

namespace esrgan {

// Eltwise: PROD (0), SUM with optional coefficients (1), MAX (2) over N same-shape inputs.
class EltwiseLayer : public Layer {
public:
    explicit EltwiseLayer(const LayerSpec& spec);
    std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
    int op() const { return op_; }
    const std::vector<float>& coeffs() const { return coeffs_; }  // empty = all 1

private:
    int op_;
    std::vector<float> coeffs_;
};

// BinaryOp: two same-shape blobs, a blob and a per-channel (c,1,1) blob, or a blob and a scalar.
class BinaryOpLayer : public Layer {
public:
    explicit BinaryOpLayer(const LayerSpec& spec);
    std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
    int op() const { return op_; }
    bool withScalar() const { return withScalar_; }
    float scalar() const { return scalar_; }

private:
    int op_;
    bool withScalar_;
    float scalar_;
};

class PReluLayer : public Layer {
public:
    explicit PReluLayer(const LayerSpec& spec);
    void loadWeights(WeightReader& reader) override;
    std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
    const std::vector<float>& slopes() const { return slopes_; }  // one shared slope or one per channel

private:
    int numSlope_;
    std::vector<float> slopes_;
};

float applyBinary(int op, float a, float b);

}  // namespace esrgan
