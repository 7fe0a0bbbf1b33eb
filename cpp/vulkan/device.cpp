#include "vulkan/device.h"

#include <cstdlib>
#include <cstring>

#include "vulkan/shaders.h"

namespace esrgan::vk {

// ---- Buffer ---------------------------------------------------------------------------------------

Buffer::Buffer(Device& device, VkDeviceSize bytes, bool hostVisible) : device_(&device), size_(bytes) {
    const auto& fn = device.fn();
    VkBufferCreateInfo ci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    ci.size = bytes > 0 ? bytes : 4;
    ci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    ci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    check(fn.vkCreateBuffer(device.handle(), &ci, nullptr, &buffer_), "vkCreateBuffer");
    try {
        VkMemoryRequirements req;
        fn.vkGetBufferMemoryRequirements(device.handle(), buffer_, &req);
        VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
        ai.allocationSize = req.size;
        ai.memoryTypeIndex = device.memoryType(req.memoryTypeBits, hostVisible);
        check(fn.vkAllocateMemory(device.handle(), &ai, nullptr, &memory_), "vkAllocateMemory");
        check(fn.vkBindBufferMemory(device.handle(), buffer_, memory_, 0), "vkBindBufferMemory");
        if (hostVisible) check(fn.vkMapMemory(device.handle(), memory_, 0, VK_WHOLE_SIZE, 0, &mapped_), "vkMapMemory");
    } catch (...) {
        release();
        throw;
    }
}

Buffer::~Buffer() { release(); }

Buffer& Buffer::operator=(Buffer&& other) noexcept {
    if (this != &other) {
        release();
        std::swap(device_, other.device_);
        std::swap(buffer_, other.buffer_);
        std::swap(memory_, other.memory_);
        std::swap(size_, other.size_);
        std::swap(mapped_, other.mapped_);
    }
    return *this;
}

void Buffer::release() {
    if (!device_) return;
    const auto& fn = device_->fn();
    if (buffer_) fn.vkDestroyBuffer(device_->handle(), buffer_, nullptr);
    if (memory_) fn.vkFreeMemory(device_->handle(), memory_, nullptr);  // unmaps too
    buffer_ = VK_NULL_HANDLE;
    memory_ = VK_NULL_HANDLE;
    mapped_ = nullptr;
    size_ = 0;
    device_ = nullptr;
}

// ---- Device ---------------------------------------------------------------------------------------

std::string Device::describeFeatures() const {
    const CoopMatrixSupport& c = info_.coopMatrix;
    std::string coop = "tensor cores (cooperative matrix): ";
    if (coopMatrix_) coop += "in use (" + c.extension + ")";
    else coop += "not used" + (c.why.empty() ? std::string() : " (" + c.why + ")");
    for (size_t i = 0; i < c.shapes.size(); ++i) coop += (i == 0 ? "; shapes " : ", ") + c.shapes[i].text();
    return "max storage buffer " + std::to_string(limits_.maxStorageBufferRange >> 20) + " MiB, shared memory " +
           std::to_string(limits_.maxComputeSharedMemorySize / 1024) + " KiB per work group, " +
           std::to_string(limits_.maxComputeWorkGroupInvocations) + " invocations per work group; " + coop;
}

namespace {
VkPhysicalDeviceProperties propertiesOf(VkPhysicalDevice physical) {
    VkPhysicalDeviceProperties props;
    vkGetPhysicalDeviceProperties(physical, &props);
    return props;
}
}  // namespace

Device::Device(Runtime& runtime, int index)
    : info_(runtime.devices()[index]),
      physical_(runtime.physicalDevice(index)),
      family_(runtime.queueFamily(index)),
      cacheFile_(propertiesOf(runtime.physicalDevice(index))) {
    const VkPhysicalDeviceProperties props = propertiesOf(physical_);
    limits_ = props.limits;
    vkGetPhysicalDeviceMemoryProperties(physical_, &memory_);
    if (runtime.instanceApiVersion() >= VK_API_VERSION_1_1 && props.apiVersion >= VK_API_VERSION_1_1 && vkGetPhysicalDeviceProperties2) {
        VkPhysicalDeviceSubgroupProperties subgroup{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
        VkPhysicalDeviceProperties2 props2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
        props2.pNext = &subgroup;
        vkGetPhysicalDeviceProperties2(physical_, &props2);
        subgroupSize_ = subgroup.subgroupSize;
        // conv3x3.comp runs 64-invocation work groups and broadcasts from lanes 0..7 of full subgroups.
        subgroupBroadcast8_ = subgroup.subgroupSize >= 8 && subgroup.subgroupSize <= 64 && (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                              (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_BALLOT_BIT) && std::getenv("MC_VK_NO_SUBGROUP") == nullptr;
    }

    const float priority = 1.f;
    VkDeviceQueueCreateInfo qci{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    qci.queueFamilyIndex = family_;
    qci.queueCount = 1;
    qci.pQueuePriorities = &priority;
    VkDeviceCreateInfo dci{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    dci.queueCreateInfoCount = 1;
    dci.pQueueCreateInfos = &qci;
    // fp16 storage (the _fp16 shaders) costs nothing to enable; a network decides whether to use it.
    VkPhysicalDevice16BitStorageFeatures storage16{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES};
    if (info_.fp16Storage) {
        storage16.storageBuffer16BitAccess = VK_TRUE;
        dci.pNext = &storage16;
    }
    // The tensor-core Winograd GEMM: its extension and features (coop_matrix.h), only where it runs.
    CoopMatrixEnable coop;
    const void* plainChain = dci.pNext;
    if (info_.coopMatrix.usable && std::getenv("MC_VK_NO_COOPMAT") == nullptr) {
        dci.pNext = coop.chain(info_.coopMatrix, const_cast<void*>(dci.pNext));
        dci.enabledExtensionCount = static_cast<uint32_t>(coop.extensions.size());
        dci.ppEnabledExtensionNames = coop.extensions.data();
        coopMatrix_ = true;
        if (vkCreateDevice(physical_, &dci, nullptr, &device_) != VK_SUCCESS) {
            // a driver that lists the features but refuses them: the GPU still runs without tensor cores
            device_ = VK_NULL_HANDLE;
            coopMatrix_ = false;
            info_.coopMatrix.usable = false;
            info_.coopMatrix.why = "vkCreateDevice refused the cooperative-matrix features";
            dci.pNext = plainChain;
            dci.enabledExtensionCount = 0;
            dci.ppEnabledExtensionNames = nullptr;
        }
    }
    if (!device_) check(vkCreateDevice(physical_, &dci, nullptr, &device_), "vkCreateDevice");
    volkLoadDeviceTable(&fn_, device_);
    fn_.vkGetDeviceQueue(device_, family_, 0, &queue_);

    VkDescriptorSetLayoutBinding bindings[kBindings];
    for (uint32_t i = 0; i < kBindings; ++i) {
        bindings[i] = VkDescriptorSetLayoutBinding{};
        bindings[i].binding = i;
        bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        bindings[i].descriptorCount = 1;
        bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    VkDescriptorSetLayoutCreateInfo lci{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    lci.bindingCount = kBindings;
    lci.pBindings = bindings;
    check(fn_.vkCreateDescriptorSetLayout(device_, &lci, nullptr, &setLayout_), "vkCreateDescriptorSetLayout");
    VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, kPushBytes};
    VkPipelineLayoutCreateInfo pci{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    pci.setLayoutCount = 1;
    pci.pSetLayouts = &setLayout_;
    pci.pushConstantRangeCount = 1;
    pci.pPushConstantRanges = &range;
    check(fn_.vkCreatePipelineLayout(device_, &pci, nullptr, &pipelineLayout_), "vkCreatePipelineLayout");
    std::string why;
    const std::vector<uint8_t> cached = cacheFile_.load(why);
    VkPipelineCacheCreateInfo cci{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
    cci.initialDataSize = cached.size();
    cci.pInitialData = cached.empty() ? nullptr : cached.data();
    if (!cached.empty() && fn_.vkCreatePipelineCache(device_, &cci, nullptr, &pipelineCache_) == VK_SUCCESS) {
        cacheLoadedBytes_ = cached.size();
    } else {
        cci.initialDataSize = 0;  // none, or data the driver refused: start empty
        cci.pInitialData = nullptr;
        check(fn_.vkCreatePipelineCache(device_, &cci, nullptr, &pipelineCache_), "vkCreatePipelineCache");
    }
    if (coopMatrix_) {
        // Build the tensor-core kernel now: a driver that cannot compile it leaves the GPU on the
        // shared-memory GEMM instead of failing every plan (the pipeline cache keeps it for later).
        const char* kernel = info_.coopMatrix.nv() ? "wino_gemm_coop_nv" : "wino_gemm_coop_khr";
        try {
            pipeline(kernel, {static_cast<int32_t>(4 * subgroupSize_)});
        } catch (const VulkanError& e) {
            coopMatrix_ = false;
            info_.coopMatrix.usable = false;
            info_.coopMatrix.why = std::string("the driver could not build ") + kernel + ": " + e.what();
        }
    }
}

void Device::savePipelineCache() {
    std::lock_guard<std::mutex> lock(pipelineMutex_);
    if (pipelinesSinceSave_ == 0 || cacheFile_.empty()) return;
    size_t size = 0;
    if (fn_.vkGetPipelineCacheData(device_, pipelineCache_, &size, nullptr) != VK_SUCCESS) return;
    std::vector<uint8_t> data(size);
    if (fn_.vkGetPipelineCacheData(device_, pipelineCache_, &size, data.data()) != VK_SUCCESS) return;
    data.resize(size);
    std::string why;
    if (cacheFile_.save(data, why)) pipelinesSinceSave_ = 0;
}

Device::~Device() {
    if (!device_) return;
    fn_.vkDeviceWaitIdle(device_);
    for (auto& kv : pipelines_) fn_.vkDestroyPipeline(device_, kv.second.second, nullptr);
    for (auto& kv : modules_) fn_.vkDestroyShaderModule(device_, kv.second, nullptr);
    fn_.vkDestroyPipelineCache(device_, pipelineCache_, nullptr);
    fn_.vkDestroyPipelineLayout(device_, pipelineLayout_, nullptr);
    fn_.vkDestroyDescriptorSetLayout(device_, setLayout_, nullptr);
    fn_.vkDestroyDevice(device_, nullptr);
}

uint32_t Device::memoryType(uint32_t allowedBits, bool hostVisible) const {
    auto find = [&](VkMemoryPropertyFlags want) -> int {
        for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i)
            if ((allowedBits & (1u << i)) && (memory_.memoryTypes[i].propertyFlags & want) == want) return static_cast<int>(i);
        return -1;
    };
    int type = -1;
    if (hostVisible) {
        const VkMemoryPropertyFlags base = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        type = find(base | VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
        if (type < 0) type = find(base);
    } else {
        type = find(VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
        if (type < 0) type = find(0);
    }
    if (type < 0) throw VulkanError(std::string("no ") + (hostVisible ? "host-visible coherent" : "usable") + " memory type for a buffer");
    return static_cast<uint32_t>(type);
}

VkPipeline Device::pipeline(const std::string& name, const std::vector<int32_t>& spec) {
    std::lock_guard<std::mutex> lock(pipelineMutex_);
    auto key = std::make_pair(name, spec);
    auto found = pipelines_.find(key);
    if (found != pipelines_.end()) return found->second.second;

    VkShaderModule& module = modules_[name];
    if (!module) {
        const EmbeddedShader* shader = findEmbeddedShader(name.c_str());
        if (!shader) throw VulkanError("no embedded shader '" + name + "'");
        VkShaderModuleCreateInfo mci{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
        mci.codeSize = shader->wordCount * sizeof(uint32_t);
        mci.pCode = shader->words;
        check(fn_.vkCreateShaderModule(device_, &mci, nullptr, &module), "vkCreateShaderModule");
    }
    std::vector<VkSpecializationMapEntry> entries(spec.size());
    for (size_t i = 0; i < spec.size(); ++i)
        entries[i] = VkSpecializationMapEntry{static_cast<uint32_t>(i), static_cast<uint32_t>(i * sizeof(int32_t)), sizeof(int32_t)};
    VkSpecializationInfo si{};
    si.mapEntryCount = static_cast<uint32_t>(entries.size());
    si.pMapEntries = entries.data();
    si.dataSize = spec.size() * sizeof(int32_t);
    si.pData = spec.data();
    VkComputePipelineCreateInfo ci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    ci.stage = VkPipelineShaderStageCreateInfo{VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
    ci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    ci.stage.module = module;
    ci.stage.pName = "main";
    ci.stage.pSpecializationInfo = spec.empty() ? nullptr : &si;
    ci.layout = pipelineLayout_;
    VkPipeline pipeline = VK_NULL_HANDLE;
    check(fn_.vkCreateComputePipelines(device_, pipelineCache_, 1, &ci, nullptr, &pipeline), ("vkCreateComputePipelines (" + name + ")").c_str());
    pipelines_[key] = {module, pipeline};
    ++pipelinesSinceSave_;
    return pipeline;
}

void Device::submitAndWait(VkCommandBuffer commandBuffer, VkFence fence) {
    VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    si.commandBufferCount = 1;
    si.pCommandBuffers = &commandBuffer;
    {
        std::lock_guard<std::mutex> lock(queueMutex_);
        check(fn_.vkResetFences(device_, 1, &fence), "vkResetFences");
        check(fn_.vkQueueSubmit(queue_, 1, &si, fence), "vkQueueSubmit");
    }
    VkResult r;
    do {
        r = fn_.vkWaitForFences(device_, 1, &fence, VK_TRUE, 1000000000ull);
    } while (r == VK_TIMEOUT);
    check(r, "vkWaitForFences");
}

}  // namespace esrgan::vk
