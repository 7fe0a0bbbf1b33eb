#include "vulkan/vulkan_backend.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/errors.h"
#include "vulkan/half.h"
#include "vulkan/memory_budget.h"
#include "runner/tile_plan.h"

namespace esrgan::vk {

namespace {

constexpr size_t kMaxPlans = 16;

std::string mib(uint64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB"; }

std::vector<uint16_t> toHalves(const float* values, size_t count) {
    std::vector<uint16_t> out(count);
    for (size_t k = 0; k < count; ++k) out[k] = floatToHalf(values[k]);
    return out;
}

// The input tile as planar (c, h, w) elements of the device's storage type.
void writeStaging(const Tensor& t, void* staging, bool fp16) {
    if (!fp16) return toPlanar(t, static_cast<float*>(staging));
    auto* out = static_cast<uint16_t*>(staging);
    for (int c = 0; c < t.c(); ++c)
        for (int y = 0; y < t.h(); ++y)
            for (int x = 0; x < t.w(); ++x) *out++ = floatToHalf(t.at(c, y, x));
}

Tensor readStaging(const void* staging, const Shape& shape, bool fp16) {
    if (!fp16) return fromPlanar(static_cast<const float*>(staging), shape);
    Tensor t = Tensor::uninitialized(shape);
    const auto* in = static_cast<const uint16_t*>(staging);
    for (int c = 0; c < shape.c; ++c)
        for (int y = 0; y < shape.h; ++y)
            for (int x = 0; x < shape.w; ++x) t.at(c, y, x) = halfToFloat(*in++);
    return t;
}

// A blob's first element in its slot: blobs are planar, so a channel offset spans whole planes.
uint64_t viewOffset(const ExecutionPlan::Memory& m, int blob) {
    const Shape& s = m.shapes[blob];
    return static_cast<uint64_t>(m.views[blob].channel) * s.h * s.w;
}

}  // namespace

// ---- plans: steps, descriptor sets and command buffers for one input shape -----------------------

struct VulkanBackend::Plan {
    struct Segment {
        size_t firstStep = 0, endStep = 0;
        int firstLayer = 0, endLayer = 0;
        VkCommandBuffer commandBuffer = VK_NULL_HANDLE;
    };

    Device* device = nullptr;
    VkCommandPool pool = VK_NULL_HANDLE;
    Shape input, output;
    ExecutionPlan::Memory memory;
    std::vector<Step> steps;
    std::vector<Segment> segments;
    std::vector<float> taps;
    Buffer aux;
    VkDescriptorPool descriptorPool = VK_NULL_HANDLE;
    std::vector<VkDescriptorSet> sets;
    bool recorded = false;
    std::vector<uint64_t> recordedSlots;
    uint64_t recordedIn = 0, recordedOut = 0;
    ScratchBytes scratch;  // the largest any step requested
    uint64_t recordedScratch[2] = {0, 0};
    uint64_t lastUse = 0;

    ~Plan() {
        if (!device) return;
        const auto& fn = device->fn();
        for (const Segment& s : segments)
            if (s.commandBuffer) fn.vkFreeCommandBuffers(device->handle(), pool, 1, &s.commandBuffer);
        if (descriptorPool) fn.vkDestroyDescriptorPool(device->handle(), descriptorPool, nullptr);
    }
};

bool VulkanBackend::autoFp16(const Device& device) {
    if (const char* forced = std::getenv("MC_VK_PRECISION")) {
        const std::string v = forced;
        if (v == "fp16" || v == "fp32") return v == "fp16" && device.fp16Storage();
    }
    return device.fp16Storage() && device.info().type != "cpu";
}

VulkanBackend::VulkanBackend(const Network& net, std::shared_ptr<Device> device, Precision precision)
    : net_(net), device_(std::move(device)) {
    if (precision == Precision::Bf16)
        throw InvalidArgument("bf16 is a CPU precision; on a Vulkan device use fp16, fp32 or auto");
    if (precision == Precision::Fp16 && !device_->fp16Storage())
        throw InvalidArgument(device_->info().name + " has no 16-bit storage buffers (storageBuffer16BitAccess): use precision fp32 or auto");
    fp16_ = precision == Precision::Fp16 || (precision == Precision::Auto && autoFp16(*device_));
    elementBytes_ = fp16_ ? kFp16Bytes : kFp32Bytes;
    const auto& fn = device_->fn();
    VkCommandPoolCreateInfo pci{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pci.queueFamilyIndex = device_->queueFamily();
    check(fn.vkCreateCommandPool(device_->handle(), &pci, nullptr, &pool_), "vkCreateCommandPool");
    VkFenceCreateInfo fci{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VkResult r = fn.vkCreateFence(device_->handle(), &fci, nullptr, &fence_);
    if (r != VK_SUCCESS) {
        fn.vkDestroyCommandPool(device_->handle(), pool_, nullptr);
        throw VulkanError("vkCreateFence", r);
    }
}

VulkanBackend::~VulkanBackend() {
    const auto& fn = device_->fn();
    fn.vkDeviceWaitIdle(device_->handle());
    plans_.clear();
    fn.vkDestroyFence(device_->handle(), fence_, nullptr);
    fn.vkDestroyCommandPool(device_->handle(), pool_, nullptr);
}


std::string VulkanBackend::name() const {
    return "Vulkan device " + std::to_string(device_->info().index) + " (" + device_->info().name + ", " + (fp16_ ? "fp16" : "fp32") +
           " storage)";
}

std::string VulkanBackend::unsupported(const Layer& layer) const {
    const VkOp& op = vkOp(layer.kind());
    if (!op.implemented) return "there is no Vulkan shader for " + std::string(layer.type()) + " layers yet";
    return op.unsupported ? op.unsupported(layer, *device_) : std::string();
}

void VulkanBackend::upload(Buffer& dst, const void* data, size_t bytes) {
    if (bytes == 0) return;
    Buffer staging(*device_, bytes, true);
    std::memcpy(staging.mapped(), data, bytes);
    const auto& fn = device_->fn();
    VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    ai.commandPool = pool_;
    ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ai.commandBufferCount = 1;
    VkCommandBuffer cb = VK_NULL_HANDLE;
    check(fn.vkAllocateCommandBuffers(device_->handle(), &ai, &cb), "vkAllocateCommandBuffers");
    try {
        VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
        bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        check(fn.vkBeginCommandBuffer(cb, &bi), "vkBeginCommandBuffer");
        VkBufferCopy region{0, 0, bytes};
        fn.vkCmdCopyBuffer(cb, staging.handle(), dst.handle(), 1, &region);
        VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
        barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
        barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
        fn.vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &barrier, 0, nullptr, 0,
                                nullptr);
        check(fn.vkEndCommandBuffer(cb), "vkEndCommandBuffer");
        device_->submitAndWait(cb, fence_);
    } catch (...) {
        fn.vkFreeCommandBuffers(device_->handle(), pool_, 1, &cb);
        throw;
    }
    fn.vkFreeCommandBuffers(device_->handle(), pool_, 1, &cb);
}

void VulkanBackend::prepare() {
    const size_t limit = std::min<size_t>(device_->limits().maxStorageBufferRange, size_t(256) << 20) / elementBytes_;
    std::vector<std::vector<float>> chunks(1);
    weightOf_.assign(net_.layerCount(), WeightRef{});
    for (size_t i = 0; i < net_.layerCount(); ++i) {
        const Layer& layer = net_.layer(i);
        const VkOp& op = vkOp(layer.kind());
        if (!op.packWeights) continue;
        std::vector<float> packed = op.packWeights(layer);
        if (packed.empty()) continue;
        packed.resize((packed.size() + 3) / 4 * 4, 0.f);  // keep every layer's weights vec4-aligned
        if (packed.size() > limit)
            throw VulkanError(layer.describe() + " has " + mib(packed.size() * elementBytes_) + " of weights, more than one buffer of this device holds");
        if (chunks.back().size() + packed.size() > limit) chunks.emplace_back();
        std::vector<float>& chunk = chunks.back();
        weightOf_[i] = WeightRef{static_cast<int>(chunks.size() - 1), static_cast<uint32_t>(chunk.size())};
        chunk.insert(chunk.end(), packed.begin(), packed.end());
    }
    for (auto& chunk : chunks) {
        if (chunk.empty()) chunk.assign(4, 0.f);  // a model without weights still binds a buffer
        weightChunks_.emplace_back(*device_, chunk.size() * elementBytes_, false);
        if (fp16_) {
            const std::vector<uint16_t> halves = toHalves(chunk.data(), chunk.size());
            upload(weightChunks_.back(), halves.data(), halves.size() * kFp16Bytes);
        } else {
            upload(weightChunks_.back(), chunk.data(), chunk.size() * kFp32Bytes);
        }
    }
}

uint64_t VulkanBackend::passBytes(const Shape& input) const {
    const ExecutionPlan::Memory m = net_.plan().memory(net_.blobShapes(input));
    const Shape out = m.shapes[net_.outputBlobIndex()];
    const uint64_t staging = static_cast<uint64_t>(input.c) * input.h * input.w + static_cast<uint64_t>(out.c) * out.h * out.w;
    const ScratchBytes scratch = scratchFor(m);
    return (m.totalElements() + staging) * elementBytes_ + scratch.v + scratch.m;
}

bool VulkanBackend::fits(const Shape& input) const {
    const ExecutionPlan::Memory m = net_.plan().memory(net_.blobShapes(input));
    uint64_t largest = 0;
    for (uint64_t e : m.slotElements) largest = std::max(largest, e);
    const ScratchBytes scratch = scratchFor(m);
    return std::max({largest * elementBytes_, scratch.v, scratch.m}) <= device_->limits().maxStorageBufferRange;
}

ScratchBytes VulkanBackend::scratchFor(const ExecutionPlan::Memory& m) const {
    ScratchBytes most;
    for (size_t i = 0; i < net_.layerCount(); ++i) {
        const VkOp& op = vkOp(net_.layer(i).kind());
        if (!op.scratch) continue;
        const ScratchBytes s = op.scratch(net_.layer(i), m.shapes[net_.layerBottoms(i)[0]], m.shapes[net_.layerTops(i)[0]], *device_);
        most.v = std::max(most.v, s.v);
        most.m = std::max(most.m, s.m);
    }
    return most;
}

void VulkanBackend::ensureScratch(const Plan& plan) {
    const uint64_t need[2] = {plan.scratch.v, plan.scratch.m};
    for (int k = 0; k < 2; ++k) {
        if (!scratch_[k].empty() && scratch_[k].size() >= need[k]) continue;
        scratch_[k] = Buffer();  // free first: the old contents are not needed
        scratch_[k] = Buffer(*device_, std::max<uint64_t>(need[k], 16), false);
        scratchGeneration_[k] = nextGeneration_++;
    }
}

WeightRef VulkanBackend::extraWeights(int layer, int variant, bool fp16, const std::function<std::vector<float>()>& pack) {
    const auto key = std::make_tuple(layer, variant, fp16);
    const auto found = extraWeights_.find(key);
    if (found != extraWeights_.end()) return found->second;
    const std::vector<float> values = pack();
    const size_t bytes = std::max<size_t>(values.size(), 4) * (fp16 ? kFp16Bytes : kFp32Bytes);
    if (bytes > device_->limits().maxStorageBufferRange)
        throw VulkanError(net_.layer(static_cast<size_t>(layer)).describe() + " has " + mib(bytes) +
                          " of transformed weights, more than one buffer of this device holds");
    Buffer buffer(*device_, bytes, false);
    if (fp16) {
        const std::vector<uint16_t> halves = toHalves(values.data(), values.size());
        upload(buffer, halves.data(), halves.size() * kFp16Bytes);
    } else {
        upload(buffer, values.data(), values.size() * kFp32Bytes);
    }
    weightChunks_.push_back(std::move(buffer));  // recorded plans keep the VkBuffer handles of the others
    const WeightRef ref{static_cast<int>(weightChunks_.size() - 1), 0};
    extraWeights_.emplace(key, ref);
    return ref;
}

uint64_t VulkanBackend::memoryBudget(const UpscaleOptions& options) const {
    if (options.memoryBudgetMb > 0) return static_cast<uint64_t>(options.memoryBudgetMb) << 20;
    uint64_t budget = availableDeviceMemory(Runtime::get().physicalDevice(device_->info().index)) / 4 * 3;
    const std::string& type = device_->info().type;
    if (type == "cpu" || type == "integrated" || budget == 0) {
        const uint64_t host = memoryBudgetBytes(options);
        budget = budget == 0 ? host : std::min(budget, host);
    }
    return budget;
}

// Segments: groups of whole layers submitted together; afterLayer runs when each finishes.
void VulkanBackend::segment(Plan& plan) {
    double total = 0;
    for (const auto& s : plan.steps) total += s.cost;
    double threshold = std::max(total / 32, 2.5e8);
    if (const char* forced = std::getenv("MC_VK_SEGMENT_MACS")) threshold = std::atof(forced);  // measuring: 0 = one per layer
    const int layers = static_cast<int>(net_.layerCount());
    Plan::Segment seg;
    double acc = 0;
    size_t step = 0;
    for (int i = 0; i < layers; ++i) {
        while (step < plan.steps.size() && plan.steps[step].layer == i) acc += plan.steps[step++].cost;
        if (acc >= threshold || i == layers - 1) {
            seg.endStep = step;
            seg.endLayer = i + 1;
            plan.segments.push_back(seg);
            seg = Plan::Segment{};
            seg.firstStep = step;
            seg.firstLayer = i + 1;
            acc = 0;
        }
    }
}


VulkanBackend::Plan& VulkanBackend::planFor(const Shape& input) {
    const auto key = std::make_tuple(input.c, input.h, input.w);
    auto found = plans_.find(key);
    if (found != plans_.end()) {
        found->second->lastUse = ++useCounter_;
        return *found->second;
    }
    if (plans_.size() >= kMaxPlans) {
        auto oldest = plans_.begin();
        for (auto it = plans_.begin(); it != plans_.end(); ++it)
            if (it->second->lastUse < oldest->second->lastUse) oldest = it;
        plans_.erase(oldest);
    }
    auto plan = std::make_unique<Plan>();
    plan->device = device_.get();
    plan->pool = pool_;
    plan->input = input;
    plan->memory = net_.plan().memory(net_.blobShapes(input));
    plan->output = plan->memory.shapes[net_.outputBlobIndex()];
    const uint64_t range = device_->limits().maxStorageBufferRange;
    for (uint64_t elements : plan->memory.slotElements)
        if (elements * elementBytes_ > range)
            throw InvalidArgument("a " + std::to_string(input.w) + "x" + std::to_string(input.h) + " tile needs a " + mib(elements * elementBytes_) +
                                  " buffer on the GPU but " + device_->info().name + " binds at most " + mib(range) +
                                  " per buffer; use a smaller tile size (-t)");
    for (size_t i = 0; i < net_.layerCount(); ++i) {
        const VkOp& op = vkOp(net_.layer(i).kind());
        if (!op.steps) continue;
        StepContext context(net_, static_cast<int>(i), plan->memory, *device_, fp16_, weightOf_[i], plan->steps, plan->taps, *this,
                            plan->scratch);
        op.steps(context);
    }
    if (std::max(plan->scratch.v, plan->scratch.m) > range)
        throw InvalidArgument("a " + std::to_string(input.w) + "x" + std::to_string(input.h) + " tile needs a " +
                              mib(std::max(plan->scratch.v, plan->scratch.m)) + " scratch buffer on the GPU but " + device_->info().name +
                              " binds at most " + mib(range) + " per buffer; use a smaller tile size (-t)");
    device_->savePipelineCache();  // the new plan's pipelines, for the next process
    segment(*plan);
    if (plan->taps.empty()) plan->taps.assign(4, 0.f);
    plan->aux = Buffer(*device_, plan->taps.size() * 4, false);
    upload(plan->aux, plan->taps.data(), plan->taps.size() * 4);
    plan->lastUse = ++useCounter_;
    return *plans_.emplace(key, std::move(plan)).first->second;
}

void VulkanBackend::ensureSlots(const Plan& plan) {
    const auto& need = plan.memory.slotElements;
    for (size_t s = 0; s < need.size(); ++s) {
        if (s >= slots_.size()) {
            slots_.emplace_back();
            slotGeneration_.push_back(0);
        }
        if (slots_[s].size() < need[s] * elementBytes_) {
            slots_[s] = Buffer();  // free first: the old contents are not needed
            slots_[s] = Buffer(*device_, std::max<uint64_t>(need[s] * elementBytes_, 16), false);
            slotGeneration_[s] = nextGeneration_++;
        }
    }
}

void VulkanBackend::ensureStaging(Buffer& staging, uint64_t& generation, size_t bytes) {
    if (!staging.empty() && staging.size() >= bytes) return;
    staging = Buffer();
    staging = Buffer(*device_, std::max<size_t>(bytes, 16), true);
    generation = nextGeneration_++;
}

void VulkanBackend::record(Plan& plan) {
    const auto& fn = device_->fn();
    VkDevice dev = device_->handle();
    const size_t steps = plan.steps.size();
    if (!plan.descriptorPool && steps > 0) {
        VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, static_cast<uint32_t>(steps * Device::kBindings)};
        VkDescriptorPoolCreateInfo pci{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
        pci.maxSets = static_cast<uint32_t>(steps);
        pci.poolSizeCount = 1;
        pci.pPoolSizes = &size;
        check(fn.vkCreateDescriptorPool(dev, &pci, nullptr, &plan.descriptorPool), "vkCreateDescriptorPool");
        std::vector<VkDescriptorSetLayout> layouts(steps, device_->setLayout());
        VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
        ai.descriptorPool = plan.descriptorPool;
        ai.descriptorSetCount = static_cast<uint32_t>(steps);
        ai.pSetLayouts = layouts.data();
        plan.sets.resize(steps);
        check(fn.vkAllocateDescriptorSets(dev, &ai, plan.sets.data()), "vkAllocateDescriptorSets");
    }
    auto bufferOf = [&](const BufferRef& r) -> VkBuffer {
        switch (r.kind) {
            case BufferRef::Kind::Slot: return slots_[r.index].handle();
            case BufferRef::Kind::Aux: return plan.aux.handle();
            case BufferRef::Kind::Scratch: return scratch_[r.index].handle();
            default: return weightChunks_[r.index].handle();
        }
    };
    std::vector<VkDescriptorBufferInfo> infos(steps * Device::kBindings);
    std::vector<VkWriteDescriptorSet> writes(steps);
    for (size_t s = 0; s < steps; ++s) {
        for (uint32_t b = 0; b < Device::kBindings; ++b)
            infos[s * Device::kBindings + b] = VkDescriptorBufferInfo{bufferOf(plan.steps[s].bind[b]), 0, VK_WHOLE_SIZE};
        writes[s] = VkWriteDescriptorSet{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
        writes[s].dstSet = plan.sets[s];
        writes[s].dstBinding = 0;
        writes[s].descriptorCount = Device::kBindings;
        writes[s].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        writes[s].pBufferInfo = &infos[s * Device::kBindings];
    }
    if (steps > 0) fn.vkUpdateDescriptorSets(dev, static_cast<uint32_t>(steps), writes.data(), 0, nullptr);

    VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    const VkPipelineStageFlags stages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
    const ExecutionPlan::Memory& L = plan.memory;
    const int inBlob = net_.inputBlobIndex(), outBlob = net_.outputBlobIndex();
    for (size_t si = 0; si < plan.segments.size(); ++si) {
        Plan::Segment& seg = plan.segments[si];
        if (!seg.commandBuffer) {
            VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
            ai.commandPool = pool_;
            ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
            ai.commandBufferCount = 1;
            check(fn.vkAllocateCommandBuffers(dev, &ai, &seg.commandBuffer), "vkAllocateCommandBuffers");
        }
        VkCommandBuffer cb = seg.commandBuffer;
        check(fn.vkResetCommandBuffer(cb, 0), "vkResetCommandBuffer");
        VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
        check(fn.vkBeginCommandBuffer(cb, &bi), "vkBeginCommandBuffer");
        if (si == 0) {
            VkBufferCopy region{0, viewOffset(L, inBlob) * elementBytes_,
                                static_cast<VkDeviceSize>(plan.input.c) * plan.input.h * plan.input.w * elementBytes_};
            fn.vkCmdCopyBuffer(cb, stagingIn_.handle(), slots_[L.views[inBlob].slot].handle(), 1, &region);
            fn.vkCmdPipelineBarrier(cb, stages, stages, 0, 1, &barrier, 0, nullptr, 0, nullptr);
        }
        for (size_t s = seg.firstStep; s < seg.endStep; ++s) {
            const Step& step = plan.steps[s];
            fn.vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, step.pipeline);
            fn.vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, device_->pipelineLayout(), 0, 1, &plan.sets[s], 0, nullptr);
            fn.vkCmdPushConstants(cb, device_->pipelineLayout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, Device::kPushBytes, step.push.words);
            fn.vkCmdDispatch(cb, step.groups[0], step.groups[1], step.groups[2]);
            fn.vkCmdPipelineBarrier(cb, stages, stages, 0, 1, &barrier, 0, nullptr, 0, nullptr);
        }
        if (si + 1 == plan.segments.size()) {
            VkBufferCopy region{viewOffset(L, outBlob) * elementBytes_, 0,
                                static_cast<VkDeviceSize>(plan.output.c) * plan.output.h * plan.output.w * elementBytes_};
            fn.vkCmdCopyBuffer(cb, slots_[L.views[outBlob].slot].handle(), stagingOut_.handle(), 1, &region);
            VkMemoryBarrier toHost{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
            toHost.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
            toHost.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
            fn.vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &toHost, 0, nullptr, 0, nullptr);
        }
        check(fn.vkEndCommandBuffer(cb), "vkEndCommandBuffer");
    }
    plan.recordedSlots.assign(slotGeneration_.begin(), slotGeneration_.begin() + static_cast<long>(plan.memory.slotElements.size()));
    plan.recordedIn = stagingInGeneration_;
    plan.recordedOut = stagingOutGeneration_;
    plan.recordedScratch[0] = scratchGeneration_[0];
    plan.recordedScratch[1] = scratchGeneration_[1];
    plan.recorded = true;
}

namespace {
struct Fault {
    std::mutex mutex;
    bool lost = false;
    long long at = 0;  // 0 = none; counts down per forward
    bool fromEnvironment = false;
};
Fault& fault() {
    static Fault f;
    return f;
}
void setFault(Fault& f, const std::string& spec) {
    f.at = 0;
    if (spec.empty()) return;
    const size_t atSign = spec.find('@');
    const std::string kind = spec.substr(0, atSign);
    if (atSign == std::string::npos || (kind != "oom" && kind != "lost"))
        throw InvalidArgument("a Vulkan fault is oom@N or lost@N, got '" + spec + "'");
    f.lost = kind == "lost";
    f.at = std::max(1LL, std::atoll(spec.c_str() + atSign + 1));
}
void injectedFault() {
    Fault& f = fault();
    std::lock_guard<std::mutex> lock(f.mutex);
    if (!f.fromEnvironment) {
        f.fromEnvironment = true;
        if (const char* env = std::getenv("MC_VULKAN_FAIL")) setFault(f, env);
    }
    if (f.at == 0) return;
    if (f.at > 1) {
        --f.at;
        return;
    }
    if (!f.lost) f.at = 0;
    throw VulkanError("vkQueueSubmit (injected fault)", f.lost ? VK_ERROR_DEVICE_LOST : VK_ERROR_OUT_OF_DEVICE_MEMORY);
}
}  // namespace

void VulkanBackend::injectFault(const std::string& spec) {
    Fault& f = fault();
    std::lock_guard<std::mutex> lock(f.mutex);
    f.fromEnvironment = true;
    setFault(f, spec);
}

Tensor VulkanBackend::forward(const Tensor& input, const std::function<void()>& afterLayer) {
    net_.checkInput(input.shape());
    std::lock_guard<std::mutex> lock(mutex_);
    injectedFault();
    Plan& plan = planFor(input.shape());
    ensureSlots(plan);
    ensureScratch(plan);
    ensureStaging(stagingIn_, stagingInGeneration_, input.size() * elementBytes_);
    ensureStaging(stagingOut_, stagingOutGeneration_, static_cast<size_t>(plan.output.c) * plan.output.h * plan.output.w * elementBytes_);
    bool current = plan.recorded && plan.recordedIn == stagingInGeneration_ && plan.recordedOut == stagingOutGeneration_;
    for (size_t s = 0; current && s < plan.recordedSlots.size(); ++s) current = plan.recordedSlots[s] == slotGeneration_[s];
    current = current && plan.recordedScratch[0] == scratchGeneration_[0] && plan.recordedScratch[1] == scratchGeneration_[1];
    if (!current) {
        plan.recorded = false;
        record(plan);
    }
    writeStaging(input, stagingIn_.mapped(), fp16_);
    for (const Plan::Segment& seg : plan.segments) {
        device_->submitAndWait(seg.commandBuffer, fence_);
        if (afterLayer)
            for (int i = seg.firstLayer; i < seg.endLayer; ++i) afterLayer();
    }
    return readStaging(stagingOut_.mapped(), plan.output, fp16_);
}

}  // namespace esrgan::vk
