#pragma once
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/resample.h"
#include "graph/execution_plan.h"
#include "graph/op_kind.h"
#include "vulkan/device.h"

namespace esrgan {
class Layer;
class Network;
}  // namespace esrgan

namespace esrgan::vk {

// Push constants: a list of 32-bit ints and floats in declaration order.
struct Push {
    uint32_t words[Device::kPushBytes / 4] = {};
    uint32_t count = 0;
    Push& i(int64_t v) {
        if (v < INT32_MIN || v > INT32_MAX)
            throw InvalidArgument("the tile is too large for the Vulkan backend's 32-bit offsets; use a smaller tile (-t)");
        words[count++] = static_cast<uint32_t>(static_cast<int32_t>(v));
        return *this;
    }
    Push& f(float v) {
        std::memcpy(&words[count++], &v, 4);
        return *this;
    }
};

// A buffer a dispatch binds: a blob slot of the plan, a chunk of the uploaded weights, the plan's
// auxiliary buffer (interpolation taps), or a scratch buffer the backend shares between all steps
// (index 0 and 1: a Winograd convolution's V and M).
struct BufferRef {
    enum class Kind { Slot, Weights, Aux, Scratch };
    Kind kind = Kind::Weights;
    int index = 0;
};

// One compute dispatch of a plan.
struct Step {
    int layer = 0;
    VkPipeline pipeline = VK_NULL_HANDLE;
    BufferRef bind[Device::kBindings];
    Push push;
    uint32_t groups[3] = {1, 1, 1};
    double cost = 0;  // arithmetic, to group layers into submissions of similar size
};

// Where a layer's packed weights were uploaded (elements of the device's storage type).
struct WeightRef {
    int chunk = 0;
    uint32_t offset = 0;
};

// Bytes of the two scratch buffers a step needs (Winograd V and M); a plan takes the largest.
struct ScratchBytes {
    uint64_t v = 0, m = 0;
};

// Weights an op packs in a layout of its own when a plan first needs them (Winograd's transformed
// weights, per F(m,3) tile size), uploaded once and kept by the backend.
class ExtraWeights {
public:
    virtual ~ExtraWeights() = default;
    // `variant` tells apart several layouts of one layer; `fp16` stores them as fp16 whatever the blobs' type.
    virtual WeightRef extraWeights(int layer, int variant, bool fp16, const std::function<std::vector<float>()>& pack) = 0;
};

// What an op's step builder sees of one layer in one plan, and how it appends dispatches.
class StepContext {
public:
    StepContext(const Network& net, int layer, const ExecutionPlan::Memory& memory, Device& device, bool fp16, WeightRef weights,
                std::vector<Step>& steps, std::vector<float>& taps, ExtraWeights& extra, ScratchBytes& scratch);

    const Layer& layer() const;
    int layerIndex() const { return layer_; }
    const std::vector<int>& bottoms() const;
    int top() const;
    const Shape& shape(int blob) const { return memory_.shapes[blob]; }
    // The blob's slot, and its first element in it (planar: channel offset times the plane).
    BufferRef slot(int blob) const { return BufferRef{BufferRef::Kind::Slot, memory_.views[blob].slot}; }
    int64_t offset(int blob) const;
    BufferRef weightChunk() const { return BufferRef{BufferRef::Kind::Weights, weights_.chunk}; }
    uint32_t weightOffset() const { return weights_.offset; }
    // The layer's weights in an op-specific layout (ExtraWeights), packed on first use.
    WeightRef extraWeights(int variant, bool fp16, const std::function<std::vector<float>()>& pack) const {
        return extra_.extraWeights(layer_, variant, fp16, pack);
    }
    static BufferRef weightChunk(const WeightRef& w) { return BufferRef{BufferRef::Kind::Weights, w.chunk}; }
    // Scratch buffer 0 or 1, at least the bytes requested (needScratch) by any step of the plan.
    void needScratch(const ScratchBytes& bytes);
    static BufferRef scratch(int index) { return BufferRef{BufferRef::Kind::Scratch, index}; }
    static BufferRef aux() { return BufferRef{BufferRef::Kind::Aux, 0}; }
    static BufferRef unused() { return BufferRef{}; }
    Device& device() const { return device_; }
    const std::vector<int>& concatCopies() const;

    // Appends a dispatch of shader `shader` (the fp16 variant when blobs are stored as fp16) with
    // specialization constants `spec`, bindings a, b, out, w, and `push`; throws InvalidArgument when the
    // group counts exceed the device's limits.
    // storageVariant false: the shader has one build for both storage types (it reads no blob).
    void add(const std::string& shader, const std::vector<int32_t>& spec, BufferRef a, BufferRef b, BufferRef out, BufferRef w,
             const Push& push, uint32_t gx, uint32_t gy, uint32_t gz, double cost, bool storageVariant = true);
    // Appends interpolation taps (index, weight pairs) to the aux buffer; returns their first float.
    int64_t appendTaps(const ResampleTaps& taps);

private:
    const Network& net_;
    int layer_;
    const ExecutionPlan::Memory& memory_;
    Device& device_;
    bool fp16_;
    WeightRef weights_;
    std::vector<Step>& steps_;
    std::vector<float>& taps_;
    ExtraWeights& extra_;
    ScratchBytes& scratch_;
};

// A row of the Vulkan op table (vulkan/op_table.cpp).
struct VkOp {
    // Why `device` cannot run this layer (empty: it can); null when every layer of the kind runs.
    std::string (*unsupported)(const Layer& layer, const Device& device) = nullptr;
    // The layer's weights packed as its shaders read them (fp32; converted to fp16 on upload when
    // blobs are fp16); null for layers without weights.
    std::vector<float> (*packWeights)(const Layer& layer) = nullptr;
    // Appends the layer's dispatches; null for kinds the plan resolves without work (Input, Split).
    void (*steps)(StepContext& context) = nullptr;
    // Whether the kind has a Vulkan implementation at all.
    bool implemented = false;
    // The scratch a layer of this input and output shape will request (sizing passes before any
    // plan exists); null for kinds that need none.
    ScratchBytes (*scratch)(const Layer& layer, const Shape& input, const Shape& output, const Device& device) = nullptr;
};

const VkOp& vkOp(OpKind kind);

constexpr uint32_t divUp(uint64_t a, uint32_t b) { return static_cast<uint32_t>((a + b - 1) / b); }

}  // namespace esrgan::vk
