// The whole native surface that Java binds to (with JavaCPP). No logic lives here: it adapts the
// runner's types, and every call that can fail reports through a Status (an error code of
// esrgan::ErrorCode and a message) instead of throwing, so Java maps codes to its exception classes.
#pragma once
#include <memory>
#include <string>

namespace esrgan {
class Model;
struct Progress;
}  // namespace esrgan

namespace mcnative {

// The outcome of a call: code 0 = success, else an esrgan::ErrorCode with a message for the user.
struct Status {
    int code = 0;
    std::string message;
};

// Per-call options of an upscale (esrgan::UpscaleOptions).
struct UpscaleSettings {
    int tileSize = 0;
    int tilePad = -1;
    int prePad = 10;
    bool tta = false;
    int threads = 0;
    long long memoryBudgetMb = 0;
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

// Receives an upscale's output in bands of whole rows, top to bottom, on the thread that called upscaleBands;
// `pixels` (rows * width * channels bytes) is valid during the call only. Java subclasses it (JavaCPP @Virtual).
class BandReceiver {
public:
    virtual ~BandReceiver() = default;
    virtual void band(int y0, int rows, const unsigned char* pixels) = 0;
};

// A model loaded onto its devices (esrgan::Model). When loading fails, `status` says why and every
// other call reports that the model is not loaded.
class NativeModel {
public:
    // devices: deviceCount entries, -1 = CPU, 0.. = Vulkan devices; precision: esrgan::Precision.
    NativeModel(const char* paramPath, const char* binPath, const int* devices, int deviceCount, int precision, Status& status);
    ~NativeModel();

    int scale() const;
    int inputChannels() const;
    int outputChannels() const;
    int receptiveRadius() const;
    int defaultTilePad() const;
    int layerCount() const;
    // The tile side `upscale` would use for this image, and how many tiles that makes.
    int plannedTileSize(int width, int height, const UpscaleSettings& settings, Status& status);
    int plannedTileCount(int width, int height, const UpscaleSettings& settings, Status& status);

    // src: width*height*channels bytes (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA);
    // dst: (width*scale)*(height*scale)*channels bytes.
    void upscale(const unsigned char* src, int width, int height, int channels, unsigned char* dst, const UpscaleSettings& settings,
                 UpscaleJob& job, Status& status);
    // The same, the output handed to `receiver` in bands as they complete: memory is set by a few bands, not the image.
    void upscaleBands(const unsigned char* src, int width, int height, int channels, BandReceiver& receiver, const UpscaleSettings& settings,
                      UpscaleJob& job, Status& status);

    // Raw network pass on planar CHW floats on one loaded device, no padding or tiling (diagnostics, tests).
    void outputShape(int c, int h, int w, int* chw, Status& status) const;
    void forward(int device, const float* input, int c, int h, int w, float* output, Status& status);
    // How a loaded device stores: 1 = fp32, 2 = fp16 (esrgan::Precision); the CPU is always 1.
    int storagePrecision(int device, Status& status);
    // What a loaded device runs, e.g. "CPU (Winograd F(4,3) avx2 + oneDNN 3.13, fp32)".
    std::string describeDevice(int device, Status& status);

private:
    std::unique_ptr<esrgan::Model> model_;
};

// One line describing the CPU backend (library version, ISA, threads).
std::string cpuDescription();
// Cores the CPU backend uses by default.
int cpuThreads();

// Vulkan devices a model can be loaded onto (0 when there is no loader, driver or device;
// Vulkan is initialised on the first call to any of these).
int gpuCount();
GpuInfo gpuInfo(int index, Status& status);
// Testing: makes Vulkan passes fail, "oom@N" (the Nth pass from now runs out of device memory),
// "lost@N" (the device is lost from the Nth pass on) or "" (none). Also read from MC_VULKAN_FAIL.
void injectVulkanFault(const char* spec, Status& status);

// Why there is no usable device ("" when there is one).
std::string gpuUnavailableReason();

}  // namespace mcnative
