#pragma once
#include "core/resample.h"
#include "ops/layer.h"

namespace esrgan {

// PixelShuffle: (C*r*r, H, W) -> (C, H*r, W*r); mode 0 = PyTorch pixel_shuffle, mode 1 = DCR.
class PixelShuffleLayer : public Layer {
public:
    explicit PixelShuffleLayer(const LayerSpec& spec);
    std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
    Geometry geometry(const std::vector<Geometry>& inputs) const override;
    int factor() const { return factor_; }
    int mode() const { return mode_; }

private:
    int factor_;
    int mode_;
};

// Reorg: (C, H, W) -> (C*s*s, H/s, W/s), the inverse of PixelShuffle (PyTorch pixel_unshuffle).
class ReorgLayer : public Layer {
public:
    explicit ReorgLayer(const LayerSpec& spec);
    int stride() const { return stride_; }
    int mode() const { return mode_; }
    std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
    Geometry geometry(const std::vector<Geometry>& inputs) const override;

private:
    int stride_;
    int mode_;
};

class InterpLayer : public Layer {
public:
    explicit InterpLayer(const LayerSpec& spec);
    std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const override;
    Geometry geometry(const std::vector<Geometry>& inputs) const override;
    // The separable taps forward() resamples an input of this shape with (rows, columns).
    void resampleTaps(const Shape& input, ResampleTaps& rows, ResampleTaps& columns) const;

private:
    ResizeType type_;
    float heightScale_, widthScale_;
    int outH_, outW_;
    bool alignCorner_;
};

}  // namespace esrgan
