#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "vulkan/pipeline_cache.h"
#include "vulkan/runtime.h"
#include "vulkan/vk_common.h"

namespace esrgan::vk {

class Device;

// A storage buffer with its own memory: device-local, or host-visible, coherent and mapped.
class Buffer {
public:
    Buffer() = default;
    Buffer(Device& device, VkDeviceSize bytes, bool hostVisible);
    ~Buffer();
    Buffer(Buffer&& other) noexcept { *this = std::move(other); }
    Buffer& operator=(Buffer&& other) noexcept;
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;

    bool empty() const { return buffer_ == VK_NULL_HANDLE; }
    VkBuffer handle() const { return buffer_; }
    VkDeviceSize size() const { return size_; }
    void* mapped() const { return mapped_; }

private:
    void release();
    Device* device_ = nullptr;
    VkBuffer buffer_ = VK_NULL_HANDLE;
    VkDeviceMemory memory_ = VK_NULL_HANDLE;
    VkDeviceSize size_ = 0;
    void* mapped_ = nullptr;
};

// A logical device with one compute queue. Every pipeline of the runner shares one layout:
// kBindings storage buffers (set 0, bindings 0..3) and kPushBytes of push constants; shaders
// address their data with element offsets passed as push constants.
class Device {
public:
    static constexpr uint32_t kBindings = 4;
    static constexpr uint32_t kPushBytes = 128;

    Device(Runtime& runtime, int index);
    ~Device();
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    const DeviceInfo& info() const { return info_; }
    VkDevice handle() const { return device_; }
    const VolkDeviceTable& fn() const { return fn_; }
    const VkPhysicalDeviceLimits& limits() const { return limits_; }
    uint32_t queueFamily() const { return family_; }
    VkDescriptorSetLayout setLayout() const { return setLayout_; }
    VkPipelineLayout pipelineLayout() const { return pipelineLayout_; }

    // The compute pipeline of embedded shader `name` with specialization constants 0..n-1 (int32 or
    // float bits); built once per device and kept.
    VkPipeline pipeline(const std::string& name, const std::vector<int32_t>& spec);

    // Writes the pipeline cache to disk (pipeline_cache.h) when pipelines were built since the last
    // save; never throws (a cache that cannot be written is only slower next time).
    void savePipelineCache();
    // The cache file ("" when disabled) and how many bytes of it this process started from.
    const std::string& pipelineCachePath() const { return cacheFile_.path(); }
    size_t pipelineCacheLoadedBytes() const { return cacheLoadedBytes_; }

    // Submits one command buffer and waits for it (the queue is shared by every model on the device).
    void submitAndWait(VkCommandBuffer commandBuffer, VkFence fence);

    uint32_t memoryType(uint32_t allowedBits, bool hostVisible) const;

    // Compute shaders can broadcast within subgroups of at least 8 lanes (conv3x3.comp needs it).
    bool subgroupBroadcast8() const { return subgroupBroadcast8_; }
    uint32_t subgroupSize() const { return subgroupSize_; }
    // Storage buffers of 16-bit floats (storageBuffer16BitAccess) are enabled.
    bool fp16Storage() const { return info_.fp16Storage; }
    // The cooperative-matrix extension and features are enabled (the tensor-core Winograd GEMM runs;
    // info().coopMatrix says which extension). MC_VK_NO_COOPMAT=1 leaves them off.
    bool coopMatrix() const { return coopMatrix_; }
    // The limits and features the runner's kernels choose by, in one line (for checks and -v).
    std::string describeFeatures() const;

private:
    DeviceInfo info_;
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    VkPhysicalDeviceLimits limits_{};
    VkPhysicalDeviceMemoryProperties memory_{};
    uint32_t family_ = 0;
    uint32_t subgroupSize_ = 1;
    bool subgroupBroadcast8_ = false;
    bool coopMatrix_ = false;
    VkDevice device_ = VK_NULL_HANDLE;
    VolkDeviceTable fn_{};
    VkQueue queue_ = VK_NULL_HANDLE;
    VkDescriptorSetLayout setLayout_ = VK_NULL_HANDLE;
    VkPipelineLayout pipelineLayout_ = VK_NULL_HANDLE;
    VkPipelineCache pipelineCache_ = VK_NULL_HANDLE;
    PipelineCacheFile cacheFile_;
    size_t cacheLoadedBytes_ = 0;
    size_t pipelinesSinceSave_ = 0;
    std::mutex pipelineMutex_;
    std::map<std::pair<std::string, std::vector<int32_t>>, std::pair<VkShaderModule, VkPipeline>> pipelines_;
    std::map<std::string, VkShaderModule> modules_;
    std::mutex queueMutex_;
};

}  // namespace esrgan::vk
