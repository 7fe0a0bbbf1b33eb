#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "graph/network.h"
#include "runner/options.h"
#include "runner/tile_plan.h"
#include "runner/upscaler.h"

namespace esrgan {

// What a model is loaded onto: devices (-1 = the CPU, 0.. = Vulkan devices, in the order their tiles are
// planned: the first one's tile size wins) and how they store and multiply.
struct ModelSettings {
    std::vector<int> devices{-1};
    Precision precision = Precision::Auto;
};

// A loaded model on its devices: the graph, read once, and one backend per device with its weights
// prepared (uploaded, transformed). Serves any number of upscale calls, each with its own options,
// concurrently (each backend runs one pass at a time).
class Model {
public:
    // Throws ModelError for bad files, UnsupportedLayer when a device cannot run a layer,
    // InvalidArgument for a device that does not exist or a precision it lacks.
    Model(const std::string& paramPath, const std::string& binPath, const ModelSettings& settings);
    ~Model();

    const Network& network() const { return *net_; }
    const std::vector<int>& devices() const { return devices_; }
    // The backend of a loaded device (-1 = the CPU), for a GPU that failed also the CPU's (created then).
    Backend& backend(int device);
    // What the device runs: "CPU (Winograd F(4,3) avx2 + oneDNN 3.13, fp32)", "Vulkan device 0 (..., fp16 storage)".
    std::string describe(int device);
    // Whether a Vulkan device stores fp16 (false for the CPU).
    bool fp16Storage(int device);

    // The options a call runs with: an automatic tile (0) resolved for the first device (and, when the output is
    // streamed in bands, small enough that the bands in flight stay within kStreamingBandBytes).
    UpscaleOptions resolve(int width, int height, int channels, const UpscaleOptions& options, bool streaming);
    TilePlan plan(int width, int height, const UpscaleOptions& options);

    // Upscales `in` (width*scale x height*scale, same channels) into `out`, the tiles spread over the devices.
    // Throws Cancelled, InvalidArgument, BackendError, or what the band sink throws.
    void upscale(const ImageView& in, const UpscaleOutput& out, const UpscaleOptions& options, Progress& progress);

    // Streamed output bands together hold at most this much.
    static constexpr uint64_t kStreamingBandBytes = uint64_t(512) << 20;
    // The network alone on one loaded device, no padding or tiling.
    Tensor forward(int device, const Tensor& input);

private:
    std::unique_ptr<Backend> open(int device);

    std::unique_ptr<Network> net_;
    std::vector<int> devices_;
    Precision precision_;
    std::mutex mutex_;  // guards backends_ (the CPU fallback is added on demand)
    std::vector<std::pair<int, std::unique_ptr<Backend>>> backends_;
};

}  // namespace esrgan
