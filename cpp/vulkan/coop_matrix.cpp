#include "vulkan/coop_matrix.h"

#include <cstring>

#include "vulkan/shaders.h"

namespace esrgan::vk {

namespace {

// VK_KHR_cooperative_matrix (Vulkan headers 1.3.255+; Debian 12 ships 1.3.239).
constexpr const char* kKhrExtension = "VK_KHR_cooperative_matrix";
constexpr const char* kNvExtension = "VK_NV_cooperative_matrix";
constexpr VkStructureType kKhrFeaturesType = static_cast<VkStructureType>(1000506000);
constexpr VkStructureType kKhrPropertiesType = static_cast<VkStructureType>(1000506001);
struct KhrProperties {  // VkCooperativeMatrixPropertiesKHR
    VkStructureType sType;
    void* pNext;
    uint32_t MSize, NSize, KSize;
    uint32_t AType, BType, CType, ResultType;  // VkComponentTypeKHR (same values as the NV enum)
    VkBool32 saturatingAccumulation;
    uint32_t scope;                            // VkScopeKHR (same values as the NV enum)
};
using PFN_khrProperties = VkResult(VKAPI_PTR*)(VkPhysicalDevice, uint32_t*, KhrProperties*);

constexpr uint32_t kFloat16 = 0, kFloat32 = 1;  // VkComponentTypeKHR / NV
constexpr uint32_t kScopeSubgroup = 3;          // VkScopeKHR / NV

const char* componentName(uint32_t t) {
    static const char* names[] = {"fp16", "fp32", "fp64", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"};
    return t < 11 ? names[t] : "other";
}

const char* scopeName(uint32_t s) {
    switch (s) {
        case 1: return "device";
        case 2: return "workgroup";
        case 3: return "subgroup";
        case 5: return "queue family";
        default: return "other";
    }
}

CoopMatrixShape shape(uint32_t m, uint32_t n, uint32_t k, uint32_t a, uint32_t b, uint32_t c, uint32_t r, uint32_t scope) {
    CoopMatrixShape s;
    s.m = m, s.n = n, s.k = k;
    s.a = componentName(a), s.b = componentName(b), s.c = componentName(c), s.result = componentName(r);
    s.scope = scopeName(scope);
    return s;
}

bool hasExtension(const std::vector<VkExtensionProperties>& all, const char* name) {
    for (const auto& e : all)
        if (std::strcmp(e.extensionName, name) == 0) return true;
    return false;
}

}  // namespace

std::string CoopMatrixShape::text() const {
    return std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k) + " " + a + "*" + b + "+" + c + "->" + result + " (" + scope + ")";
}

CoopMatrixSupport queryCoopMatrix(VkInstance instance, VkPhysicalDevice physical, bool vulkan11) {
    CoopMatrixSupport s;
    if (!vulkan11 || !vkGetPhysicalDeviceFeatures2) {
        s.why = "needs Vulkan 1.1";
        return s;
    }
    uint32_t count = 0;
    vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, nullptr);
    std::vector<VkExtensionProperties> extensions(count);
    if (count) vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, extensions.data());
    extensions.resize(count);

    bool fp16x16to32 = false;
    auto consider = [&](const CoopMatrixShape& sh, uint32_t m, uint32_t n, uint32_t k, uint32_t a, uint32_t b, uint32_t c, uint32_t r,
                        uint32_t scope) {
        s.shapes.push_back(sh);
        if (m == 16 && n == 16 && k == 16 && a == kFloat16 && b == kFloat16 && c == kFloat32 && r == kFloat32 && scope == kScopeSubgroup)
            fp16x16to32 = true;
    };
    if (hasExtension(extensions, kKhrExtension)) {
        s.extension = kKhrExtension;
        auto get = reinterpret_cast<PFN_khrProperties>(vkGetInstanceProcAddr(instance, "vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR"));
        uint32_t n = 0;
        if (get && get(physical, &n, nullptr) == VK_SUCCESS && n > 0) {
            std::vector<KhrProperties> props(n, KhrProperties{kKhrPropertiesType, nullptr, 0, 0, 0, 0, 0, 0, 0, VK_FALSE, 0});
            if (get(physical, &n, props.data()) == VK_SUCCESS)
                for (uint32_t i = 0; i < n; ++i) {
                    const KhrProperties& p = props[i];
                    consider(shape(p.MSize, p.NSize, p.KSize, p.AType, p.BType, p.CType, p.ResultType, p.scope), p.MSize, p.NSize, p.KSize,
                             p.AType, p.BType, p.CType, p.ResultType, p.scope);
                }
        }
    } else if (hasExtension(extensions, kNvExtension)) {
        s.extension = kNvExtension;
        auto get = reinterpret_cast<PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV>(
            vkGetInstanceProcAddr(instance, "vkGetPhysicalDeviceCooperativeMatrixPropertiesNV"));
        uint32_t n = 0;
        if (get && get(physical, &n, nullptr) == VK_SUCCESS && n > 0) {
            std::vector<VkCooperativeMatrixPropertiesNV> props(n, VkCooperativeMatrixPropertiesNV{VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_NV});
            if (get(physical, &n, props.data()) == VK_SUCCESS)
                for (uint32_t i = 0; i < n; ++i) {
                    const auto& p = props[i];
                    consider(shape(p.MSize, p.NSize, p.KSize, p.AType, p.BType, p.CType, p.DType, p.scope), p.MSize, p.NSize, p.KSize, p.AType,
                             p.BType, p.CType, p.DType, p.scope);
                }
        }
    } else {
        s.why = "no VK_KHR_cooperative_matrix or VK_NV_cooperative_matrix";
        return s;
    }

    CoopMatrixEnable::KhrFeatures khr{kKhrFeaturesType, nullptr, VK_FALSE, VK_FALSE};
    VkPhysicalDeviceCooperativeMatrixFeaturesNV nv{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV};
    VkPhysicalDeviceVulkanMemoryModelFeatures memoryModel{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_MEMORY_MODEL_FEATURES};
    VkPhysicalDeviceShaderFloat16Int8Features float16{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES};
    VkPhysicalDevice16BitStorageFeatures storage16{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES};
    storage16.pNext = &float16;
    float16.pNext = &memoryModel;
    memoryModel.pNext = s.nv() ? static_cast<void*>(&nv) : static_cast<void*>(&khr);
    VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    features.pNext = &storage16;
    vkGetPhysicalDeviceFeatures2(physical, &features);
    const bool coop = s.nv() ? nv.cooperativeMatrix == VK_TRUE : khr.cooperativeMatrix == VK_TRUE;
    const char* kernel = s.nv() ? "wino_gemm_coop_nv" : "wino_gemm_coop_khr";
    if (!coop) s.why = "the cooperativeMatrix feature is off";
    else if (!fp16x16to32) s.why = "no 16x16x16 fp16 x fp16 -> fp32 subgroup shape";
    else if (float16.shaderFloat16 != VK_TRUE || !hasExtension(extensions, "VK_KHR_shader_float16_int8")) s.why = "no shaderFloat16";
    else if (storage16.storageBuffer16BitAccess != VK_TRUE) s.why = "no 16-bit storage buffers";
    else if (memoryModel.vulkanMemoryModel != VK_TRUE || !hasExtension(extensions, "VK_KHR_vulkan_memory_model")) s.why = "no Vulkan memory model";
    else if (!findEmbeddedShader(kernel)) s.why = "this build has no cooperative-matrix kernels (configured with MC_VK_COOPMAT=OFF)";
    else s.usable = true;
    return s;
}

void* CoopMatrixEnable::chain(const CoopMatrixSupport& support, void* next) {
    extensions = {support.nv() ? kNvExtension : kKhrExtension, "VK_KHR_shader_float16_int8", "VK_KHR_vulkan_memory_model"};
    float16.shaderFloat16 = VK_TRUE;
    memoryModel.vulkanMemoryModel = VK_TRUE;
    float16.pNext = &memoryModel;
    if (support.nv()) {
        nvFeatures.cooperativeMatrix = VK_TRUE;
        nvFeatures.pNext = next;
        memoryModel.pNext = &nvFeatures;
    } else {
        khrFeatures = KhrFeatures{kKhrFeaturesType, next, VK_TRUE, VK_FALSE};
        memoryModel.pNext = &khrFeatures;
    }
    return &float16;
}

}  // namespace esrgan::vk
