#include <array>

#include "core/errors.h"
#include "ops/convolution.h"
#include "ops/elementwise.h"
#include "ops/layer.h"
#include "ops/spatial.h"
#include "ops/structural.h"

namespace esrgan {

namespace {
using Factory = std::unique_ptr<Layer> (*)(const LayerSpec&);

template <typename T>
std::unique_ptr<Layer> make(const LayerSpec& spec) {
    return std::make_unique<T>(spec);
}

// Indexed by OpKind.
constexpr std::array<Factory, kOpKindCount> kFactories = {
    make<InputLayer>,   make<SplitLayer>,    make<ConcatLayer>, make<ConvolutionLayer>,  make<DeconvolutionLayer>, make<EltwiseLayer>,
    make<BinaryOpLayer>, make<InterpLayer>, make<PReluLayer>,  make<PixelShuffleLayer>, make<ReorgLayer>,
};
}  // namespace

std::unique_ptr<Layer> createLayer(const LayerSpec& spec, const std::string& paramPath) {
    const std::optional<OpKind> kind = opKindNamed(spec.type);
    if (!kind) {
        std::string known;
        for (size_t k = 0; k < kOpKindCount; ++k) known += std::string(k == 0 ? "" : ", ") + opKindName(static_cast<OpKind>(k));
        throw ModelError(paramPath + ":" + std::to_string(spec.line) + ": layer '" + spec.name + "' has unsupported type '" +
                         spec.type + "' (supported: " + known + ")");
    }
    try {
        std::unique_ptr<Layer> layer = kFactories[static_cast<size_t>(*kind)](spec);
        return layer;
    } catch (const ModelError& e) {
        throw ModelError(paramPath + ": " + e.what());
    } catch (const std::invalid_argument& e) {
        throw ModelError(paramPath + ":" + std::to_string(spec.line) + ": layer '" + spec.name + "': " + e.what());
    }
}

}  // namespace esrgan
