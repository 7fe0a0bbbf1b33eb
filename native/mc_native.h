// The whole native surface that Java binds to (with JavaCPP). No logic lives here:
// it adapts the runner's types and turns its exceptions into tagged messages that the
// Java side maps onto its own exception types.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace esrgan {
class Network;
struct Progress;
struct UpscaleOptions;
namespace vk {
class VulkanNetwork;
}
}  // namespace esrgan

namespace mcnative {

struct UpscaleSettings {
    int tileSize = 0;
    int tilePad = -1;
    int prePad = 10;
    bool tta = false;
    int threads = 0;
    long long memoryBudgetMb = 0;
    int device = -1;  // -1 = CPU, else the index of a Vulkan device (gpuInfo)
    // Several devices at once (tiles spread over them): bit 0 = CPU, bit i+1 = Vulkan device i;
    // 0 = just `device`.
    long long deviceMask = 0;
    // Storage of blobs and weights on Vulkan devices: 0 = auto, 1 = fp32, 2 = fp16 (esrgan::GpuPrecision).
    int precision = 0;
};

// One Vulkan device (-g index), as `model-compose devices` lists it.
struct GpuInfo {
    int index = 0;
    std::string name;
    std::string type;  // discrete, integrated, virtual, cpu or other
    long long deviceLocalBytes = 0;
    bool fp16Arithmetic = false;  // shaderFloat16
    bool fp16Storage = false;     // storageBuffer16BitAccess
    std::string apiVersion;
};

// Progress and cancellation of one upscale call; safe to read and cancel from any thread.
class UpscaleJob {
public:
    UpscaleJob();
    ~UpscaleJob();
    void cancel();
    bool isCancelled() const;
    double fraction() const;
    int tilesDone() const;
    int tilesTotal() const;
    // Tiles finished so far by one device (-1 = CPU).
    int deviceTiles(int device) const;
    // Warnings of the upscale so far (a GPU fell back to the CPU, a tile was retried smaller), one a line.
    std::string warnings() const;
    esrgan::Progress& progress() { return *progress_; }

private:
    std::unique_ptr<esrgan::Progress> progress_;
};

class NativeModel {
public:
    // Throws "[model] ..." when the files are missing or malformed.
    NativeModel(const char* paramPath, const char* binPath);
    ~NativeModel();

    int scale() const;
    int inputChannels() const;
    int outputChannels() const;
    int receptiveRadius() const;
    int defaultTilePad() const;
    int layerCount() const;
    // The tile side `upscale` would use for this image, and how many tiles that makes.
    int plannedTileSize(int width, int height, const UpscaleSettings& settings) const;
    int plannedTileCount(int width, int height, const UpscaleSettings& settings) const;

    // src: width*height*channels bytes (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA);
    // dst: (width*scale)*(height*scale)*channels bytes.
    void upscale(const unsigned char* src, int width, int height, int channels, unsigned char* dst,
                 const UpscaleSettings& settings, UpscaleJob& job);

    // Raw network pass on planar CHW floats, no padding or tiling (for tests).
    void outputShape(int c, int h, int w, int* chw) const;
    void forward(const float* input, int c, int h, int w, float* output);
    // The same on a device (-1 = CPU, as forward) with a precision as in UpscaleSettings.
    void forwardOn(int device, int precision, const float* input, int c, int h, int w, float* output);
    // What `precision` resolves to on Vulkan device `device`: 1 = fp32, 2 = fp16 (uploads the weights
    // if no pass ran yet); the CPU (-1) is always fp32.
    int storagePrecision(int device, int precision);

private:
    esrgan::vk::VulkanNetwork& gpu(int device, int precision);
    esrgan::UpscaleOptions gpuOptions(int width, int height, const UpscaleSettings& settings, int deviceCount);
    esrgan::UpscaleOptions plannedOptions(int width, int height, const UpscaleSettings& settings);

    std::unique_ptr<esrgan::Network> net_;
    std::mutex gpuMutex_;
    // weights uploaded once per device and precision
    std::map<std::pair<int, int>, std::unique_ptr<esrgan::vk::VulkanNetwork>> gpus_;
};

// One line describing the CPU backend (library version, ISA, threads).
std::string cpuDescription();
// Cores the CPU backend uses by default.
int cpuThreads();

// Vulkan devices usable with UpscaleSettings::device (0 when there is no loader, driver or device;
// Vulkan is initialised on the first call to any of these).
int gpuCount();
GpuInfo gpuInfo(int index);
// Testing: makes Vulkan passes fail, "oom@N" (the Nth pass from now runs out of device memory),
// "lost@N" (the device is lost from the Nth pass on) or "" (none). Also read from MC_VULKAN_FAIL.
void injectVulkanFault(const char* spec);

// Why there is no usable device ("" when there is one).
std::string gpuUnavailableReason();

}  // namespace mcnative
