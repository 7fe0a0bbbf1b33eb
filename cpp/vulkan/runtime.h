#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vulkan/coop_matrix.h"
#include "vulkan/vk_common.h"

namespace esrgan::vk {

class Device;

// One Vulkan device the runner can use; `index` is its -g number.
struct DeviceInfo {
    int index = 0;
    std::string name;
    std::string type;                // "discrete", "integrated", "virtual", "cpu" or "other"
    uint64_t deviceLocalBytes = 0;   // sum of the DEVICE_LOCAL heaps
    bool fp16Arithmetic = false;     // shaderFloat16
    bool fp16Storage = false;        // storageBuffer16BitAccess
    uint32_t apiVersion = 0;
    // Cooperative matrices (tensor cores): the extension, the shapes the device reports, and whether
    // the tensor-core Winograd GEMM runs here (coopMatrix.usable; else coopMatrix.why).
    CoopMatrixSupport coopMatrix;
    std::string apiVersionText() const;
};

// The process-wide Vulkan state: loader, instance and the physical devices with a compute queue.
// Created on first use; when there is no loader, no driver or no device, it records why and the
// runner keeps to the CPU. Never destroyed (the driver may be gone at static destruction time).
class Runtime {
public:
    // Never throws.
    static Runtime& get();

    bool available() const { return !devices_.empty(); }
    // Why no device is usable ("" when one is).
    const std::string& unavailableReason() const { return reason_; }
    const std::vector<DeviceInfo>& devices() const { return devices_; }
    // "0 = llvmpipe (cpu), -1 = the CPU" or the reason there is none, for error messages.
    std::string describeChoices() const;

    // The logical device for -g `index`, created on first use and shared by every model.
    // Throws InvalidArgument for an index that is not a device, VulkanError when creation fails.
    std::shared_ptr<Device> device(int index);

    VkInstance instance() const { return instance_; }
    VkPhysicalDevice physicalDevice(int index) const { return physical_[index]; }
    uint32_t queueFamily(int index) const { return queueFamilies_[index]; }
    uint32_t instanceApiVersion() const { return apiVersion_; }

private:
    Runtime();
    void init();

    std::string reason_;
    VkInstance instance_ = VK_NULL_HANDLE;
    uint32_t apiVersion_ = VK_API_VERSION_1_0;
    std::vector<DeviceInfo> devices_;
    std::vector<VkPhysicalDevice> physical_;
    std::vector<uint32_t> queueFamilies_;
    std::mutex mutex_;
    std::vector<std::shared_ptr<Device>> logical_;
};

}  // namespace esrgan::vk
