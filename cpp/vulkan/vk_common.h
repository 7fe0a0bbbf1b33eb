#pragma once
// Vulkan through volk: the loader (libvulkan.so.1) is opened at run time, never linked, so the
// runner still loads and runs on the CPU where there is no Vulkan at all.
#include <volk.h>

#include <stdexcept>
#include <string>

namespace esrgan::vk {

std::string resultName(VkResult r);

// A failed Vulkan call. outOfMemory() tells allocation failures (host or device) apart, so callers
// can suggest a smaller tile.
class VulkanError : public std::runtime_error {
public:
    VulkanError(const std::string& what, VkResult result)
        : std::runtime_error("Vulkan: " + what + " failed: " + resultName(result)), result_(result) {}
    explicit VulkanError(const std::string& message) : std::runtime_error("Vulkan: " + message), result_(VK_ERROR_UNKNOWN) {}
    VkResult result() const { return result_; }
    bool outOfMemory() const {
        return result_ == VK_ERROR_OUT_OF_DEVICE_MEMORY || result_ == VK_ERROR_OUT_OF_HOST_MEMORY;
    }
    bool deviceLost() const { return result_ == VK_ERROR_DEVICE_LOST; }

private:
    VkResult result_;
};

inline void check(VkResult r, const char* what) {
    if (r != VK_SUCCESS) throw VulkanError(what, r);
}

}  // namespace esrgan::vk
