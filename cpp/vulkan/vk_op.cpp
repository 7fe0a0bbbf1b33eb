#include "vulkan/vk_op.h"

#include <algorithm>

#include "graph/network.h"

namespace esrgan::vk {

StepContext::StepContext(const Network& net, int layer, const ExecutionPlan::Memory& memory, Device& device, bool fp16, WeightRef weights,
                         std::vector<Step>& steps, std::vector<float>& taps, ExtraWeights& extra, ScratchBytes& scratch)
    : net_(net),
      layer_(layer),
      memory_(memory),
      device_(device),
      fp16_(fp16),
      weights_(weights),
      steps_(steps),
      taps_(taps),
      extra_(extra),
      scratch_(scratch) {}

void StepContext::needScratch(const ScratchBytes& bytes) {
    scratch_.v = std::max(scratch_.v, bytes.v);
    scratch_.m = std::max(scratch_.m, bytes.m);
}

const Layer& StepContext::layer() const { return net_.layer(layer_); }
const std::vector<int>& StepContext::bottoms() const { return net_.layerBottoms(layer_); }
int StepContext::top() const { return net_.layerTops(layer_)[0]; }
const std::vector<int>& StepContext::concatCopies() const { return net_.plan().concatCopies(layer_); }

int64_t StepContext::offset(int blob) const {
    const Shape& s = memory_.shapes[blob];
    return static_cast<int64_t>(memory_.views[blob].channel) * s.h * s.w;
}

void StepContext::add(const std::string& shader, const std::vector<int32_t>& spec, BufferRef a, BufferRef b, BufferRef out, BufferRef w,
                      const Push& push, uint32_t gx, uint32_t gy, uint32_t gz, double cost, bool storageVariant) {
    const auto& max = device_.limits().maxComputeWorkGroupCount;
    if (gx > max[0] || gy > max[1] || gz > max[2])
        throw InvalidArgument("the tile is too large for this device's dispatch limits; use a smaller tile (-t)");
    Step s;
    s.layer = layer_;
    s.pipeline = device_.pipeline(fp16_ && storageVariant ? shader + "_fp16" : shader, spec);
    s.bind[0] = a;
    s.bind[1] = b;
    s.bind[2] = out;
    s.bind[3] = w;
    s.push = push;
    s.groups[0] = gx;
    s.groups[1] = gy;
    s.groups[2] = gz;
    s.cost = cost;
    steps_.push_back(s);
}

int64_t StepContext::appendTaps(const ResampleTaps& t) {
    const int64_t at = static_cast<int64_t>(taps_.size());
    for (size_t k = 0; k < t.index.size(); ++k) {
        float bits;
        std::memcpy(&bits, &t.index[k], 4);
        taps_.push_back(bits);
        taps_.push_back(t.weight[k]);
    }
    return at;
}

}  // namespace esrgan::vk
