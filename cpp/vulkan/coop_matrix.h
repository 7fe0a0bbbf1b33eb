#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "vulkan/vk_common.h"

namespace esrgan::vk {

// One shape the device reports for cooperative matrices (VK_KHR_cooperative_matrix, or
// VK_NV_cooperative_matrix where only that exists): D (M x N) = A (M x K) * B (K x N) + C.
struct CoopMatrixShape {
    uint32_t m = 0, n = 0, k = 0;
    std::string a, b, c, result;  // component types: "fp16", "fp32", "int8", ...
    std::string scope;            // "subgroup", "workgroup", ...
    std::string text() const;     // e.g. "16x16x16 fp16*fp16+fp32->fp32 (subgroup)"
};

// What a physical device offers for the tensor-core Winograd GEMM (shaders/wino_gemm_coop.glsl).
struct CoopMatrixSupport {
    std::string extension;                // "VK_KHR_cooperative_matrix", "VK_NV_cooperative_matrix" or ""
    std::vector<CoopMatrixShape> shapes;  // as reported
    // The kernel can run: 16x16x16 fp16 x fp16 -> fp32 at subgroup scope, the cooperativeMatrix,
    // shaderFloat16, storageBuffer16BitAccess and vulkanMemoryModel features with their extensions,
    // and the kernel was compiled into this build. `why` says what is missing otherwise.
    bool usable = false;
    std::string why;
    bool nv() const { return extension == "VK_NV_cooperative_matrix"; }
};

// Queries `physical` (instance-level calls only; the runtime's instance must be loaded in volk).
CoopMatrixSupport queryCoopMatrix(VkInstance instance, VkPhysicalDevice physical, bool vulkan11);

// The device extensions and the feature structs to chain into VkDeviceCreateInfo for the kernel.
struct CoopMatrixEnable {
    std::vector<const char*> extensions;
    VkPhysicalDeviceShaderFloat16Int8Features float16{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES, nullptr, VK_FALSE, VK_FALSE};
    VkPhysicalDeviceVulkanMemoryModelFeatures memoryModel{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_MEMORY_MODEL_FEATURES, nullptr, VK_FALSE, VK_FALSE, VK_FALSE};
    VkPhysicalDeviceCooperativeMatrixFeaturesNV nvFeatures{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV, nullptr, VK_FALSE, VK_FALSE};
    struct KhrFeatures {  // VkPhysicalDeviceCooperativeMatrixFeaturesKHR (not in Debian 12's headers)
        VkStructureType sType;
        void* pNext;
        VkBool32 cooperativeMatrix;
        VkBool32 cooperativeMatrixRobustBufferAccess;
    } khrFeatures{};
    // Links the structs behind `next` and returns the head of the chain.
    void* chain(const CoopMatrixSupport& support, void* next);
};

}  // namespace esrgan::vk
