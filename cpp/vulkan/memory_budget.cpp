#include "vulkan/memory_budget.h"

#include <cstring>
#include <vector>

namespace esrgan::vk {

namespace {

bool supportsMemoryBudget(VkPhysicalDevice physical) {
    uint32_t count = 0;
    if (vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, nullptr) != VK_SUCCESS) return false;
    std::vector<VkExtensionProperties> extensions(count);
    if (vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, extensions.data()) != VK_SUCCESS) return false;
    for (const auto& e : extensions)
        if (std::strcmp(e.extensionName, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME) == 0) return true;
    return false;
}

}  // namespace

uint64_t availableDeviceMemory(VkPhysicalDevice physical) {
    VkPhysicalDeviceMemoryBudgetPropertiesEXT budget{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT};
    VkPhysicalDeviceMemoryProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2};
    const bool withBudget = vkGetPhysicalDeviceMemoryProperties2 != nullptr && supportsMemoryBudget(physical);
    if (withBudget) {
        properties.pNext = &budget;
        vkGetPhysicalDeviceMemoryProperties2(physical, &properties);
    } else {
        vkGetPhysicalDeviceMemoryProperties(physical, &properties.memoryProperties);
    }
    const VkPhysicalDeviceMemoryProperties& memory = properties.memoryProperties;
    uint64_t total = 0;
    for (uint32_t h = 0; h < memory.memoryHeapCount; ++h) {
        if (!(memory.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)) continue;
        if (!withBudget) {
            total += memory.memoryHeaps[h].size;
        } else if (budget.heapBudget[h] > budget.heapUsage[h]) {
            total += budget.heapBudget[h] - budget.heapUsage[h];
        }
    }
    return total;
}

}  // namespace esrgan::vk
