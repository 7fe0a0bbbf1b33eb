#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "model/param_reader.h"

namespace esrgan {

class WeightReader;
class CpuEngine;

struct ExecContext {
    CpuEngine* cpu = nullptr;
};

// Where a blob sits relative to the network input: its resolution factor and how far
// (in input pixels) its values can see. Used for scale inference and default tile halos.
struct Geometry {
    double scale = 1.0;
    double radius = 0.0;
};

class Layer {
public:
    explicit Layer(const LayerSpec& spec) : type_(spec.type), name_(spec.name), line_(spec.line) {}
    virtual ~Layer() = default;

    const std::string& type() const { return type_; }
    const std::string& name() const { return name_; }

    virtual void loadWeights(WeightReader&) {}
    // Throws ModelError when the inputs do not fit this layer.
    virtual std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const = 0;
    virtual std::vector<Tensor> forward(const std::vector<Tensor>& inputs, ExecContext& ctx) const = 0;
    // Whether forward() takes channel-prefix views (pitch > c); others get dense copies.
    virtual bool acceptsChannelViews() const { return false; }
    // Default: an elementwise layer that keeps scale and reach.
    virtual Geometry geometry(const std::vector<Geometry>& inputs) const;

protected:
    [[noreturn]] void fail(const std::string& message) const;
    void expectInputs(const std::vector<Shape>& inputs, size_t count) const;

private:
    std::string type_;
    std::string name_;
    int line_;
};

std::unique_ptr<Layer> createLayer(const LayerSpec& spec, const std::string& paramPath);

}  // namespace esrgan
