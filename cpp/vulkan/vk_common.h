#pragma once
// Vulkan through volk: the loader (libvulkan.so.1) is opened at run time, never linked, so the
// runner still loads and runs on the CPU where there is no Vulkan at all.
#include <volk.h>

#include <string>

#include "core/errors.h"

namespace esrgan::vk {

std::string resultName(VkResult r);

// A failed Vulkan call: DeviceOutOfMemory for allocation failures (host or device: a smaller tile
// may fit), DeviceFailed for everything else.
class VulkanError : public BackendError {
public:
    VulkanError(const std::string& what, VkResult result)
        : BackendError(codeOf(result), "Vulkan: " + what + " failed: " + resultName(result)), result_(result) {}
    explicit VulkanError(const std::string& message) : BackendError(ErrorCode::DeviceFailed, "Vulkan: " + message), result_(VK_ERROR_UNKNOWN) {}
    VkResult result() const { return result_; }
    bool outOfMemory() const { return code() == ErrorCode::DeviceOutOfMemory; }
    bool deviceLost() const { return result_ == VK_ERROR_DEVICE_LOST; }

private:
    static ErrorCode codeOf(VkResult r) {
        return r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY ? ErrorCode::DeviceOutOfMemory : ErrorCode::DeviceFailed;
    }
    VkResult result_;
};

inline void check(VkResult r, const char* what) {
    if (r != VK_SUCCESS) throw VulkanError(what, r);
}

}  // namespace esrgan::vk
