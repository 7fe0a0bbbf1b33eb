#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "core/tensor.h"

namespace esrgan {

class Layer;
class Network;
struct UpscaleOptions;

// One device that runs a Network: the CPU, a Vulkan GPU, later others. A backend is created for a
// loaded Network (and a precision); it is asked about every layer before it prepares anything
// (openBackend), then prepares once (transformed or uploaded weights, compiled kernels) and runs
// forward passes on tiles. Every backend follows the Network's ExecutionPlan for order, lifetimes,
// aliases and concat placement; what differs is how each op kind runs (the backend's op table).
class Backend {
public:
    virtual ~Backend() = default;

    // For messages and -v: "CPU (avx2, fp32)", "Vulkan device 0 (llvmpipe, fp32 storage)".
    virtual std::string name() const = 0;
    // Why this backend cannot run `layer`; empty when it can.
    virtual std::string unsupported(const Layer& layer) const = 0;
    // Transforms, packs or uploads what the passes need; called once, after every layer was accepted.
    virtual void prepare() = 0;

    // Runs the network on one input tile (checked by Network::checkInput). `afterLayer` runs once per
    // layer, possibly in batches, and may throw (Cancelled) to stop the pass. Thread-safe: concurrent
    // calls run one at a time.
    virtual Tensor forward(const Tensor& input, const std::function<void()>& afterLayer) = 0;

    // Memory sizing for automatic tiles: the bytes a pass on `input` needs at once, whether every
    // buffer of such a pass fits the device's limits, and what a tile may use (`options` may set it).
    virtual uint64_t passBytes(const Shape& input) const = 0;
    virtual bool fits(const Shape& input) const = 0;
    virtual uint64_t memoryBudget(const UpscaleOptions& options) const = 0;
    // Whether this device shares the host's memory and cores (the CPU itself, lavapipe).
    virtual bool onHost() const = 0;
    // Frees buffers kept between passes (after an image).
    virtual void trim() {}
};

// Asks `backend` about every layer of `net` and prepares it; throws UnsupportedLayer naming the first
// layer it cannot run (name, type, .param line) and the backend.
void openBackend(Backend& backend, const Network& net);

}  // namespace esrgan
