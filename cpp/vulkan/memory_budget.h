#pragma once
#include <cstdint>

#include "vulkan/vk_common.h"

namespace esrgan::vk {

// Device-local memory this process may still allocate on `physical`: the driver's budget minus what
// is in use (by every process) where VK_EXT_memory_budget is supported, else the size of the
// device-local heaps.
uint64_t availableDeviceMemory(VkPhysicalDevice physical);

}  // namespace esrgan::vk
