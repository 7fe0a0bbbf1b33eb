#pragma once
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "backend/backend.h"
#include "core/tensor.h"
#include "graph/network.h"
#include "runner/options.h"
#include "vulkan/device.h"
#include "vulkan/vk_op.h"

namespace esrgan::vk {

// Runs a Network on one Vulkan device: each layer's dispatches come from the Vulkan op table
// (vulkan/op_table.cpp), blobs live where the Network's execution plan places them. The weights are
// uploaded once, in prepare(); each input shape gets a plan (slots, descriptor sets, recorded command
// buffers) that is kept and resubmitted for every tile of that shape.
//
// Blobs live on the device as planar (c, h, w) fp32, or fp16 (with the weights) when the precision
// resolves to fp16: shaders then convert on load and round on store, and compute in fp32; the host
// converts at the staging buffers. Slot buffers are shared by the plans of all shapes.
class VulkanBackend : public Backend, private ExtraWeights {
public:
    // Throws InvalidArgument for Precision::Fp16 on a device without fp16 storage, or Bf16.
    VulkanBackend(const Network& net, std::shared_ptr<Device> device, Precision precision = Precision::Auto);
    ~VulkanBackend() override;
    VulkanBackend(const VulkanBackend&) = delete;
    VulkanBackend& operator=(const VulkanBackend&) = delete;

    std::string name() const override;
    std::string unsupported(const Layer& layer) const override;
    void prepare() override;
    Tensor forward(const Tensor& input, const std::function<void()>& afterLayer) override;
    // Buffers (blob slots and staging) a pass on `input` needs; whether each fits the device's limit.
    uint64_t passBytes(const Shape& input) const override;
    bool fits(const Shape& input) const override;
    // 3/4 of the device memory still available (VK_EXT_memory_budget), capped by the host budget on
    // devices that share the host's memory (software, integrated).
    uint64_t memoryBudget(const UpscaleOptions& options) const override;
    bool onHost() const override { return device_->info().type == "cpu"; }

    Device& device() { return *device_; }
    // Whether blobs and weights are stored as fp16 (else fp32).
    bool fp16() const { return fp16_; }

    // What Precision::Auto means on `device`: fp16 storage on GPUs that have it, fp32 on
    // software/CPU devices, where fp16 only adds conversions. MC_VK_PRECISION=fp32|fp16 overrides it.
    static bool autoFp16(const Device& device);

    // Testing: "oom@N" makes the Nth forward from now fail with VK_ERROR_OUT_OF_DEVICE_MEMORY,
    // "lost@N" every forward from the Nth on with VK_ERROR_DEVICE_LOST, "" clears. The environment
    // variable MC_VULKAN_FAIL sets it when the first pass runs.
    static void injectFault(const std::string& spec);

private:
    struct Plan;

    Plan& planFor(const Shape& input);
    void segment(Plan& plan);
    void record(Plan& plan);
    void upload(Buffer& dst, const void* data, size_t bytes);
    void ensureSlots(const Plan& plan);
    void ensureStaging(Buffer& staging, uint64_t& generation, size_t bytes);
    // Scratch buffers (vk_op.h): what the ops of a pass on these blob shapes will request, and
    // growing the shared buffers to a plan's needs.
    ScratchBytes scratchFor(const ExecutionPlan::Memory& memory) const;
    void ensureScratch(const Plan& plan);
    WeightRef extraWeights(int layer, int variant, bool fp16, const std::function<std::vector<float>()>& pack) override;

    static constexpr size_t kFp16Bytes = 2, kFp32Bytes = 4;

    const Network& net_;
    std::shared_ptr<Device> device_;
    bool fp16_ = false;
    size_t elementBytes_ = kFp32Bytes;  // of blobs and weights on the device (push-constant offsets count elements)
    std::mutex mutex_;
    VkCommandPool pool_ = VK_NULL_HANDLE;
    VkFence fence_ = VK_NULL_HANDLE;

    std::vector<Buffer> weightChunks_;
    std::vector<WeightRef> weightOf_;  // per layer

    std::vector<Buffer> slots_;          // blob storage shared by all plans
    std::vector<uint64_t> slotGeneration_;
    Buffer stagingIn_, stagingOut_;
    uint64_t stagingInGeneration_ = 0, stagingOutGeneration_ = 0;
    uint64_t nextGeneration_ = 1;

    std::map<std::tuple<int, int, int>, std::unique_ptr<Plan>> plans_;
    std::map<std::tuple<int, int, bool>, WeightRef> extraWeights_;  // (layer, variant, fp16)
    Buffer scratch_[2];
    uint64_t scratchGeneration_[2] = {0, 0};
    uint64_t useCounter_ = 0;
};

}  // namespace esrgan::vk
