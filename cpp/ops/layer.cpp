#include "ops/layer.h"

#include <algorithm>

#include "core/errors.h"

namespace esrgan {

std::string Layer::describe() const {
    return "layer '" + name_ + "' (" + type() + ", .param line " + std::to_string(line_) + ")";
}

Geometry Layer::geometry(const std::vector<Geometry>& inputs) const {
    Geometry g = inputs.empty() ? Geometry{} : inputs[0];
    for (const auto& in : inputs) g.radius = std::max(g.radius, in.radius);
    return g;
}

void Layer::fail(const std::string& message) const { throw ModelError(describe() + ": " + message); }

void Layer::expectInputs(const std::vector<Shape>& inputs, size_t count) const {
    if (inputs.size() != count)
        fail("expects " + std::to_string(count) + " input(s) but has " + std::to_string(inputs.size()));
}

}  // namespace esrgan
