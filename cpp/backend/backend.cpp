#include "backend/backend.h"

#include "core/errors.h"
#include "graph/network.h"

namespace esrgan {

void openBackend(Backend& backend, const Network& net) {
    for (size_t i = 0; i < net.layerCount(); ++i) {
        const Layer& layer = net.layer(i);
        const std::string why = backend.unsupported(layer);
        if (!why.empty())
            throw UnsupportedLayer(backend.name() + " cannot run " + layer.describe() + ": " + why +
                                   ". Run this model on another device (for example the CPU, -g -1).");
    }
    backend.prepare();
}

}  // namespace esrgan
