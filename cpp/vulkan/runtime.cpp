#include "vulkan/runtime.h"

#include <dlfcn.h>

#include <cstdlib>

#include "core/errors.h"
#include "vulkan/device.h"

namespace esrgan::vk {

std::string resultName(VkResult r) {
    switch (r) {
        case VK_SUCCESS: return "VK_SUCCESS";
        case VK_NOT_READY: return "VK_NOT_READY";
        case VK_TIMEOUT: return "VK_TIMEOUT";
        case VK_INCOMPLETE: return "VK_INCOMPLETE";
        case VK_ERROR_OUT_OF_HOST_MEMORY: return "VK_ERROR_OUT_OF_HOST_MEMORY";
        case VK_ERROR_OUT_OF_DEVICE_MEMORY: return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
        case VK_ERROR_INITIALIZATION_FAILED: return "VK_ERROR_INITIALIZATION_FAILED";
        case VK_ERROR_DEVICE_LOST: return "VK_ERROR_DEVICE_LOST";
        case VK_ERROR_MEMORY_MAP_FAILED: return "VK_ERROR_MEMORY_MAP_FAILED";
        case VK_ERROR_LAYER_NOT_PRESENT: return "VK_ERROR_LAYER_NOT_PRESENT";
        case VK_ERROR_EXTENSION_NOT_PRESENT: return "VK_ERROR_EXTENSION_NOT_PRESENT";
        case VK_ERROR_FEATURE_NOT_PRESENT: return "VK_ERROR_FEATURE_NOT_PRESENT";
        case VK_ERROR_INCOMPATIBLE_DRIVER: return "VK_ERROR_INCOMPATIBLE_DRIVER";
        case VK_ERROR_TOO_MANY_OBJECTS: return "VK_ERROR_TOO_MANY_OBJECTS";
        case VK_ERROR_FORMAT_NOT_SUPPORTED: return "VK_ERROR_FORMAT_NOT_SUPPORTED";
        case VK_ERROR_FRAGMENTED_POOL: return "VK_ERROR_FRAGMENTED_POOL";
        case VK_ERROR_OUT_OF_POOL_MEMORY: return "VK_ERROR_OUT_OF_POOL_MEMORY";
        default: return "VkResult " + std::to_string(static_cast<int>(r));
    }
}

std::string DeviceInfo::apiVersionText() const {
    return std::to_string(VK_API_VERSION_MAJOR(apiVersion)) + "." + std::to_string(VK_API_VERSION_MINOR(apiVersion)) + "." +
           std::to_string(VK_API_VERSION_PATCH(apiVersion));
}

Runtime& Runtime::get() {
    static Runtime* runtime = new Runtime();  // leaked on purpose, see the class comment
    return *runtime;
}

Runtime::Runtime() {
    try {
        init();
    } catch (const std::exception& e) {
        devices_.clear();
        physical_.clear();
        queueFamilies_.clear();
        reason_ = std::string("Vulkan initialisation failed: ") + e.what();
    }
}

namespace {

const char* typeName(VkPhysicalDeviceType t) {
    switch (t) {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
        case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
        default: return "other";
    }
}

// MC_VULKAN_LIBRARY names the loader to open instead of libvulkan.so.1 (tests use a missing path).
VkResult openLoader() {
    const char* path = std::getenv("MC_VULKAN_LIBRARY");
    if (!path || !*path) return volkInitialize();
    void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) return VK_ERROR_INITIALIZATION_FAILED;
    auto gipa = reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(lib, "vkGetInstanceProcAddr"));
    if (!gipa) return VK_ERROR_INITIALIZATION_FAILED;
    volkInitializeCustom(gipa);
    return VK_SUCCESS;
}

}  // namespace

void Runtime::init() {
    if (openLoader() != VK_SUCCESS) {
        const char* path = std::getenv("MC_VULKAN_LIBRARY");
        reason_ = std::string("no Vulkan loader (") + (path && *path ? path : "libvulkan.so.1") +
                  ") found: install libvulkan1 and a Vulkan driver for the GPU";
        return;
    }
    uint32_t loaderVersion = VK_API_VERSION_1_0;
    if (vkEnumerateInstanceVersion) vkEnumerateInstanceVersion(&loaderVersion);
    apiVersion_ = loaderVersion >= VK_API_VERSION_1_1 ? VK_API_VERSION_1_1 : VK_API_VERSION_1_0;

    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.pApplicationName = "model-compose";
    app.pEngineName = "model-compose esrgan runner";
    app.apiVersion = apiVersion_;
    VkInstanceCreateInfo ci{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    ci.pApplicationInfo = &app;
    VkResult r = vkCreateInstance(&ci, nullptr, &instance_);
    if (r != VK_SUCCESS) {
        instance_ = VK_NULL_HANDLE;
        reason_ = r == VK_ERROR_INCOMPATIBLE_DRIVER
                      ? "no Vulkan devices: the Vulkan loader found no driver (ICD); install one for the GPU (Mesa: mesa-vulkan-drivers)"
                      : std::string("no Vulkan devices: vkCreateInstance failed: ") + resultName(r);
        return;
    }
    volkLoadInstanceOnly(instance_);

    uint32_t count = 0;
    r = vkEnumeratePhysicalDevices(instance_, &count, nullptr);
    std::vector<VkPhysicalDevice> all(count);
    if (r == VK_SUCCESS && count > 0) r = vkEnumeratePhysicalDevices(instance_, &count, all.data());
    if (r != VK_SUCCESS && r != VK_INCOMPLETE) {
        reason_ = std::string("no Vulkan devices: vkEnumeratePhysicalDevices failed: ") + resultName(r);
        return;
    }
    all.resize(count);
    std::string skipped;
    for (VkPhysicalDevice pd : all) {
        VkPhysicalDeviceProperties props;
        vkGetPhysicalDeviceProperties(pd, &props);
        uint32_t familyCount = 0;
        vkGetPhysicalDeviceQueueFamilyProperties(pd, &familyCount, nullptr);
        std::vector<VkQueueFamilyProperties> families(familyCount);
        vkGetPhysicalDeviceQueueFamilyProperties(pd, &familyCount, families.data());
        int family = -1;
        for (uint32_t i = 0; i < familyCount && family < 0; ++i)
            if (families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) family = static_cast<int>(i);
        if (family < 0) {
            skipped += std::string(skipped.empty() ? "" : ", ") + props.deviceName + " (no compute queue)";
            continue;
        }
        DeviceInfo info;
        info.index = static_cast<int>(devices_.size());
        info.name = props.deviceName;
        info.type = typeName(props.deviceType);
        info.apiVersion = props.apiVersion;
        VkPhysicalDeviceMemoryProperties mem;
        vkGetPhysicalDeviceMemoryProperties(pd, &mem);
        for (uint32_t h = 0; h < mem.memoryHeapCount; ++h)
            if (mem.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) info.deviceLocalBytes += mem.memoryHeaps[h].size;
        if (apiVersion_ >= VK_API_VERSION_1_1 && props.apiVersion >= VK_API_VERSION_1_1 && vkGetPhysicalDeviceFeatures2) {
            VkPhysicalDeviceShaderFloat16Int8Features f16{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES};
            VkPhysicalDevice16BitStorageFeatures s16{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES};
            s16.pNext = &f16;
            VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
            features.pNext = &s16;
            vkGetPhysicalDeviceFeatures2(pd, &features);
            info.fp16Arithmetic = f16.shaderFloat16 == VK_TRUE;
            info.fp16Storage = s16.storageBuffer16BitAccess == VK_TRUE;
            info.coopMatrix = queryCoopMatrix(instance_, pd, true);
        } else {
            info.coopMatrix.why = "needs Vulkan 1.1";
        }
        devices_.push_back(info);
        physical_.push_back(pd);
        queueFamilies_.push_back(static_cast<uint32_t>(family));
    }
    logical_.resize(devices_.size());
    if (devices_.empty())
        reason_ = all.empty() ? "no Vulkan devices: the Vulkan driver reports none"
                              : "no Vulkan devices with a compute queue (skipped: " + skipped + ")";
}

std::string Runtime::describeChoices() const {
    std::string s;
    for (const auto& d : devices_) s += std::to_string(d.index) + " = " + d.name + " (" + d.type + "), ";
    s += "-1 = the CPU";
    if (devices_.empty()) s += " (" + reason_ + ")";
    return s;
}

std::shared_ptr<Device> Runtime::device(int index) {
    if (index < 0 || index >= static_cast<int>(devices_.size()))
        throw InvalidArgument("device " + std::to_string(index) + " is not available; the devices are: " + describeChoices());
    std::lock_guard<std::mutex> lock(mutex_);
    if (!logical_[index]) logical_[index] = std::make_shared<Device>(*this, index);
    return logical_[index];
}

}  // namespace esrgan::vk
