#include "ops/layer.h"

#include <algorithm>
#include <cmath>

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

namespace esrgan {

void Layer::requireFinite(const std::vector<float>& values, const char* what) const {
    for (size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i]))
            fail(std::string(what) + " value " + std::to_string(i) + " is " + (std::isnan(values[i]) ? "NaN" : "infinite") +
                 "; the model file is damaged or was exported from a diverged training run");
}

}  // namespace esrgan
