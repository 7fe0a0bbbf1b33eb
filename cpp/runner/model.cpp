#include "runner/model.h"

#include <algorithm>

#include "core/errors.h"
#include "cpu/cpu_backend.h"
#include "core/threads.h"
#include "runner/tile_plan.h"
#include "vulkan/runtime.h"
#include "vulkan/vulkan_backend.h"

namespace esrgan {

Model::Model(const std::string& paramPath, const std::string& binPath, const ModelSettings& settings)
    : devices_(settings.devices), precision_(settings.precision) {
    if (devices_.empty()) throw InvalidArgument("no device to load the model onto");
    for (size_t i = 0; i < devices_.size(); ++i) {
        if (devices_[i] < -1) throw InvalidArgument("device " + std::to_string(devices_[i]) + " is not a device (-1 = CPU, 0.. = GPUs)");
        if (std::count(devices_.begin(), devices_.end(), devices_[i]) > 1)
            throw InvalidArgument("device " + std::to_string(devices_[i]) + " is listed twice");
    }
    // GPUs first: the first device's tile size is the one every device works with.
    std::stable_partition(devices_.begin(), devices_.end(), [](int d) { return d >= 0; });
    net_ = Network::load(paramPath, binPath);
    for (int d : devices_) backends_.emplace_back(d, open(d));
}

Model::~Model() = default;

std::unique_ptr<Backend> Model::open(int device) {
    std::unique_ptr<Backend> backend;
    // fp16 is a GPU storage format: the CPU of a mixed list (or a GPU's fallback) computes in fp32.
    if (device < 0) backend = std::make_unique<CpuBackend>(*net_, precision_ == Precision::Fp16 ? Precision::Auto : precision_);
    else backend = std::make_unique<vk::VulkanBackend>(*net_, vk::Runtime::get().device(device), precision_);
    openBackend(*backend, *net_);
    return backend;
}

Backend& Model::backend(int device) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [d, b] : backends_)
        if (d == device) return *b;
    if (device != -1) throw InvalidArgument("device " + std::to_string(device) + " is not one this model was loaded onto");
    // The CPU, for the tiles of a GPU that failed.
    backends_.emplace_back(-1, open(-1));
    return *backends_.back().second;
}

std::string Model::describe(int device) { return backend(device).name(); }

bool Model::fp16Storage(int device) {
    if (device < 0) return false;
    return static_cast<vk::VulkanBackend&>(backend(device)).fp16();
}

UpscaleOptions Model::resolve(int width, int height, int channels, const UpscaleOptions& options, bool streaming) {
    if (options.tileSize != 0) return options;
    UpscaleOptions o = options;
    o.tileSize = autoTileSize(*net_, backend(devices_.front()), width, height, options, static_cast<int>(devices_.size()));
    if (streaming) {
        // one band per worker and one being written out; a band is tileSize * scale rows of the output
        const uint64_t bandRowBytes = static_cast<uint64_t>(width) * net_->scale() * channels * net_->scale();
        const uint64_t bands = devices_.size() + 1;
        const int cap = static_cast<int>(std::max<uint64_t>(32, kStreamingBandBytes / bands / std::max<uint64_t>(bandRowBytes, 1)));
        o.tileSize = std::min(o.tileSize, cap);
    }
    return o;
}

TilePlan Model::plan(int width, int height, const UpscaleOptions& options) {
    return planTiles(*net_, width, height, resolve(width, height, 3, options, false));
}

void Model::upscale(const ImageView& in, const UpscaleOutput& out, const UpscaleOptions& options, Progress& progress) {
    const UpscaleOptions o = resolve(in.width, in.height, in.channels, options, out.whole == nullptr);
    const bool mixed = devices_.size() > 1 && std::count(devices_.begin(), devices_.end(), -1) > 0;
    std::vector<TileWorker> workers;
    for (int d : devices_) {
        TileWorker w;
        w.device = d;
        w.backend = &backend(d);
        if (d >= 0) w.threads = 1;  // a GPU worker only reads and writes its tiles on the CPU
        else if (d < 0 && mixed && options.threads == 0)
            // leave a core to the GPU workers' submission threads
            w.threads = std::max(1, hardwareThreads() - static_cast<int>(devices_.size() - 1));
        workers.push_back(w);
    }
    upscaleImage(*net_, in, out, o, progress, workers, [this]() -> Backend& { return backend(-1); });
    for (auto& [d, b] : backends_) b->trim();
}

Tensor Model::forward(int device, const Tensor& input) { return backend(device).forward(input, {}); }

}  // namespace esrgan
