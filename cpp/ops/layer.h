#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "graph/op_kind.h"
#include "graph/param_reader.h"

namespace esrgan {

class WeightReader;

// Where a blob sits relative to the network input: its resolution factor and how far
// (in input pixels) its values can see. Used for scale inference and default tile halos.
struct Geometry {
    double scale = 1.0;
    double radius = 0.0;
};

// One layer of a model: what it is (kind, parameters, weights), how its outputs' shapes follow from
// its inputs', and its geometry. Backend-neutral: how a layer runs belongs to each backend's op table.
class Layer {
public:
    Layer(OpKind kind, const LayerSpec& spec) : kind_(kind), name_(spec.name), line_(spec.line) {}
    virtual ~Layer() = default;

    OpKind kind() const { return kind_; }
    const char* type() const { return opKindName(kind_); }
    const std::string& name() const { return name_; }
    int line() const { return line_; }
    // "layer 'conv1' (Convolution, .param line 7)", for messages.
    std::string describe() const;

    virtual void loadWeights(WeightReader&) {}
    // Throws ModelError when the inputs do not fit this layer.
    virtual std::vector<Shape> outputShapes(const std::vector<Shape>& inputs) const = 0;
    // Default: an elementwise layer that keeps scale and reach.
    virtual Geometry geometry(const std::vector<Geometry>& inputs) const;

protected:
    [[noreturn]] void fail(const std::string& message) const;
    void expectInputs(const std::vector<Shape>& inputs, size_t count) const;
    // A NaN or infinite weight poisons every output it reaches (an all-black image): refuse it at load.
    void requireFinite(const std::vector<float>& values, const char* what) const;

private:
    OpKind kind_;
    std::string name_;
    int line_;
};

std::unique_ptr<Layer> createLayer(const LayerSpec& spec, const std::string& paramPath);

}  // namespace esrgan
