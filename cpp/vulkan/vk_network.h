#pragma once
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "core/tensor.h"
#include "model/network.h"
#include "runner/options.h"
#include "vulkan/conv3x3_winograd.h"
#include "vulkan/device.h"

namespace esrgan::vk {

// Runs a loaded Network on one Vulkan device. The weights are uploaded once, when this is built;
// each input shape gets a plan (blob placement, descriptor sets, recorded command buffers) that is
// kept and resubmitted for every tile of that shape.
//
// Blobs live on the device as planar (c, h, w) fp32, or fp16 (with the weights) when the precision
// resolves to fp16: shaders then convert on load and round on store, and compute in fp32; the host
// converts at the staging buffers. Split outputs alias their input, and Concat
// inputs are written by their producers straight into the channel range of the Concat output (a
// Concat only copies an input that cannot be placed there, e.g. one listed twice). Blob buffers are
// reused between blobs whose lifetimes do not overlap, and shared by the plans of all shapes.
class VulkanNetwork {
public:
    // Throws InvalidArgument for GpuPrecision::Fp16 on a device without fp16 storage.
    VulkanNetwork(const Network& net, std::shared_ptr<Device> device, GpuPrecision precision = GpuPrecision::Auto);
    ~VulkanNetwork();
    VulkanNetwork(const VulkanNetwork&) = delete;
    VulkanNetwork& operator=(const VulkanNetwork&) = delete;

    Device& device() { return *device_; }
    const Network& network() const { return net_; }
    // Whether blobs and weights are stored as fp16 (else fp32).
    bool fp16() const { return fp16_; }

    // What GpuPrecision::Auto means on `device`: fp16 storage on GPUs that have it, fp32 on
    // software/CPU devices, where fp16 only adds conversions. MC_VK_PRECISION=fp32|fp16 overrides it.
    static bool autoFp16(const Device& device);

    // Same contract as Network::forward: `afterLayer` runs once per layer (in batches, as the GPU
    // finishes groups of layers) and may throw to stop the pass.
    Tensor forward(const Tensor& input, const std::function<void()>& afterLayer = {});

    // The largest single buffer a pass on `input` needs, and the sum of all of them (bytes).
    std::pair<size_t, size_t> bufferBytes(const Shape& input) const;

    // Testing: "oom@N" makes the Nth forward from now fail with VK_ERROR_OUT_OF_DEVICE_MEMORY,
    // "lost@N" every forward from the Nth on with VK_ERROR_DEVICE_LOST, "" clears. The environment
    // variable MC_VULKAN_FAIL sets it when the first network is built.
    static void injectFault(const std::string& spec);

    // Whether a tile of this input shape fits the device's per-buffer limit.
    bool fits(const Shape& input) const;

private:
    struct Layout;
    struct Plan;
    struct WeightRef {
        int chunk = 0;
        uint32_t offset = 0;  // elements
    };

    Layout layout(const Shape& input) const;
    Plan& planFor(const Shape& input);
    void buildSteps(Plan& plan);
    void record(Plan& plan);
    void uploadWeights();
    void upload(Buffer& dst, const void* data, size_t bytes);
    void ensureSlots(const Plan& plan);
    void ensureStaging(Buffer& staging, uint64_t& generation, size_t bytes);

    // Winograd 3x3 convolutions (conv3x3_winograd.h): the dispatches of layer `li`, its transformed
    // weights (made on first use, kept per F(m,3) tile), and the scratch buffers V and M.
    void appendWinogradSteps(Plan& plan, size_t li, const Conv3x3Choice& choice, int bottom, int top);
    WeightRef winogradWeightRef(size_t li, int m, bool fp16);
    ScratchBytes scratchFor(const Layout& layout) const;
    void ensureScratch(const Plan& plan);
    std::string shaderName(const std::string& op) const { return fp16_ ? op + "_fp16" : op; }

    static constexpr size_t kFp16Bytes = 2, kFp32Bytes = 4;

    const Network& net_;
    std::shared_ptr<Device> device_;
    bool fp16_ = false;
    size_t elementBytes_ = kFp32Bytes;  // of blobs and weights on the device (push-constant offsets count elements)
    std::mutex mutex_;
    VkCommandPool pool_ = VK_NULL_HANDLE;
    VkFence fence_ = VK_NULL_HANDLE;

    std::vector<Buffer> weightChunks_;
    std::vector<WeightRef> weightOf_;  // per layer (convolution: weights then bias; PReLU: slopes)

    std::vector<Buffer> slots_;          // blob storage shared by all plans
    std::vector<uint64_t> slotGeneration_;
    Buffer stagingIn_, stagingOut_;
    uint64_t stagingInGeneration_ = 0, stagingOutGeneration_ = 0;
    uint64_t nextGeneration_ = 1;

    std::map<std::tuple<int, int, int>, std::unique_ptr<Plan>> plans_;
    std::map<std::tuple<size_t, int, bool>, WeightRef> winogradWeights_;  // (layer, m, fp16) -> U
    Buffer scratch_[2];                                                   // V, M
    uint64_t scratchGeneration_[2] = {0, 0};
    uint64_t useCounter_ = 0;
};

}  // namespace esrgan::vk
