#include <functional>
#include <map>

#include "core/errors.h"
#include "ops/convolution.h"
#include "ops/elementwise.h"
#include "ops/layer.h"
#include "ops/spatial.h"
#include "ops/structural.h"

namespace esrgan {

namespace {
template <typename T>
std::unique_ptr<Layer> make(const LayerSpec& spec) {
    return std::make_unique<T>(spec);
}

const std::map<std::string, std::function<std::unique_ptr<Layer>(const LayerSpec&)>>& registry() {
    static const std::map<std::string, std::function<std::unique_ptr<Layer>(const LayerSpec&)>> types = {
        {"Input", make<InputLayer>},         {"Split", make<SplitLayer>},         {"Concat", make<ConcatLayer>},
        {"Convolution", make<ConvolutionLayer>}, {"Eltwise", make<EltwiseLayer>},   {"BinaryOp", make<BinaryOpLayer>},
        {"Interp", make<InterpLayer>},       {"PReLU", make<PReluLayer>},         {"PixelShuffle", make<PixelShuffleLayer>},
        {"Reorg", make<ReorgLayer>},
    };
    return types;
}
}  // namespace

std::unique_ptr<Layer> createLayer(const LayerSpec& spec, const std::string& paramPath) {
    const auto& types = registry();
    auto it = types.find(spec.type);
    if (it == types.end()) {
        std::string known;
        for (const auto& kv : types) known += (known.empty() ? "" : ", ") + kv.first;
        throw ModelError(paramPath + ":" + std::to_string(spec.line) + ": layer '" + spec.name + "' has unsupported type '" +
                         spec.type + "' (supported: " + known + ")");
    }
    try {
        return it->second(spec);
    } catch (const ModelError& e) {
        throw ModelError(paramPath + ": " + e.what());
    } catch (const std::invalid_argument& e) {
        throw ModelError(paramPath + ":" + std::to_string(spec.line) + ": layer '" + spec.name + "': " + e.what());
    }
}

}  // namespace esrgan
