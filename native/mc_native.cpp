#include "mc_native.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <new>
#include <stdexcept>
#include <vector>

#include "core/errors.h"
#include "cpu/cpu_engine.h"
#include "cpu/winograd3x3.h"
#include "model/network.h"
#include "runner/tile_plan.h"
#include "runner/upscaler.h"
#include "vulkan/auto_tile.h"
#include "vulkan/device.h"
#include "vulkan/runtime.h"
#include "vulkan/vk_network.h"

namespace mcnative {

namespace {

// Runs `body`, rethrowing runner errors as std::runtime_error tagged with their kind.
template <typename F>
auto translated(F&& body) -> decltype(body()) {
    try {
        return body();
    } catch (const esrgan::ModelError& e) {
        throw std::runtime_error(std::string("[model] ") + e.what());
    } catch (const esrgan::InvalidArgument& e) {
        throw std::runtime_error(std::string("[argument] ") + e.what());
    } catch (const esrgan::Cancelled&) {
        throw std::runtime_error("[cancelled] the upscale was cancelled");
    } catch (const std::bad_alloc&) {
        throw std::runtime_error("[memory] out of memory: use a smaller tile size");
    } catch (const esrgan::vk::VulkanError& e) {
        if (e.outOfMemory()) throw std::runtime_error(std::string("[memory] the GPU ran out of memory (") + e.what() + "): use a smaller tile size (-t)");
        throw std::runtime_error(std::string("[backend] ") + e.what());
    } catch (const dnnl::error& e) {
        throw std::runtime_error(std::string("[backend] oneDNN failed: ") + e.what());
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("[internal] ") + e.what());
    }
}

esrgan::UpscaleOptions toOptions(const UpscaleSettings& s) {
    esrgan::UpscaleOptions o;
    o.tileSize = s.tileSize;
    o.tilePad = s.tilePad;
    o.prePad = s.prePad;
    o.tta = s.tta;
    o.threads = s.threads;
    o.memoryBudgetMb = s.memoryBudgetMb;
    if (s.device < -1) throw esrgan::InvalidArgument("device " + std::to_string(s.device) + " is not a device (-1 = CPU, 0.. = GPUs)");
    return o;
}

// The devices of an upscale, GPUs first (their tile size wins), the CPU last.
std::vector<int> devicesOf(const UpscaleSettings& s) {
    std::vector<int> devices;
    if (s.deviceMask == 0) {
        devices.push_back(s.device);
        return devices;
    }
    for (int bit = 1; bit < esrgan::Progress::kMaxDevices; ++bit)
        if (s.deviceMask & (1LL << bit)) devices.push_back(bit - 1);
    if (s.deviceMask & 1LL) devices.push_back(-1);
    return devices;
}

// The settings for planning: those of the first device.
UpscaleSettings planningSettings(const UpscaleSettings& s) {
    UpscaleSettings one = s;
    one.device = devicesOf(s).front();
    one.deviceMask = 0;
    return one;
}

}  // namespace

UpscaleJob::UpscaleJob() : progress_(new esrgan::Progress()) {}
UpscaleJob::~UpscaleJob() = default;
void UpscaleJob::cancel() { progress_->cancelRequested = true; }
bool UpscaleJob::isCancelled() const { return progress_->cancelRequested.load(); }
double UpscaleJob::fraction() const {
    int64_t total = progress_->total.load();
    // retried tiles (out of GPU memory, a device that failed) count their layers again: cap at 1
    return total > 0 ? std::min(1.0, static_cast<double>(progress_->done.load()) / total) : 0.0;
}
int UpscaleJob::tilesDone() const { return progress_->tilesDone.load(); }
int UpscaleJob::tilesTotal() const { return progress_->tilesTotal.load(); }
std::string UpscaleJob::warnings() const { return progress_->warningText(); }
int UpscaleJob::deviceTiles(int device) const {
    if (device < -1 || device + 1 >= esrgan::Progress::kMaxDevices) return 0;
    return progress_->tilesByDevice[device + 1].load();
}

NativeModel::NativeModel(const char* paramPath, const char* binPath) {
    translated([&] {
        if (!paramPath || !binPath) throw esrgan::InvalidArgument("model paths must not be null");
        net_ = esrgan::Network::load(paramPath, binPath);
        return 0;
    });
}

NativeModel::~NativeModel() = default;

int NativeModel::scale() const { return net_->scale(); }
int NativeModel::inputChannels() const { return net_->inputChannels(); }
int NativeModel::outputChannels() const { return net_->outputChannels(); }
int NativeModel::receptiveRadius() const { return net_->receptiveRadius(); }
int NativeModel::defaultTilePad() const { return esrgan::defaultTilePad(*net_); }
int NativeModel::layerCount() const { return static_cast<int>(net_->layerCount()); }

esrgan::vk::VulkanNetwork& NativeModel::gpu(int device, int precision) {
    if (precision < 0 || precision > 2) throw esrgan::InvalidArgument("precision must be 0 (auto), 1 (fp32) or 2 (fp16), got " + std::to_string(precision));
    std::lock_guard<std::mutex> lock(gpuMutex_);
    const auto key = std::make_pair(device, precision);
    auto found = gpus_.find(key);
    if (found != gpus_.end()) return *found->second;
    auto created = std::make_unique<esrgan::vk::VulkanNetwork>(*net_, esrgan::vk::Runtime::get().device(device),
                                                               static_cast<esrgan::GpuPrecision>(precision));
    return *gpus_.emplace(key, std::move(created)).first->second;
}

// The options of an upscale on a GPU: an automatic tile is sized from the device's memory budget.
esrgan::UpscaleOptions NativeModel::gpuOptions(int width, int height, const UpscaleSettings& settings, int deviceCount) {
    esrgan::vk::VulkanNetwork& g = gpu(settings.device, settings.precision);
    esrgan::UpscaleOptions o = toOptions(settings);
    if (o.tileSize > 0) return o;
    o.tileSize = esrgan::vk::autoTileSize(g, width, height, o, esrgan::vk::tileMemoryBudget(g, o), deviceCount);
    return o;
}

// The options every worker of an upscale shares: those of its first device, a GPU's tile sized for it.
esrgan::UpscaleOptions NativeModel::plannedOptions(int width, int height, const UpscaleSettings& settings) {
    const UpscaleSettings first = planningSettings(settings);
    if (first.device < 0) return toOptions(first);
    return gpuOptions(width, height, first, static_cast<int>(devicesOf(settings).size()));
}

int NativeModel::plannedTileSize(int width, int height, const UpscaleSettings& settings) const {
    return translated([&] {
        const esrgan::UpscaleOptions o = const_cast<NativeModel*>(this)->plannedOptions(width, height, settings);
        return esrgan::planTiles(*net_, width, height, o).tileSize;
    });
}

int NativeModel::plannedTileCount(int width, int height, const UpscaleSettings& settings) const {
    return translated([&] {
        const esrgan::UpscaleOptions o = const_cast<NativeModel*>(this)->plannedOptions(width, height, settings);
        return static_cast<int>(esrgan::planTiles(*net_, width, height, o).tiles.size());
    });
}

void NativeModel::upscale(const unsigned char* src, int width, int height, int channels, unsigned char* dst,
                          const UpscaleSettings& settings, UpscaleJob& job) {
    translated([&] {
        const std::vector<int> devices = devicesOf(settings);
        const esrgan::UpscaleOptions o = plannedOptions(width, height, settings);
        const bool mixed = devices.size() > 1 && devices.back() == -1;
        std::vector<esrgan::TileWorker> workers;
        for (int d : devices) {
            esrgan::TileWorker w;
            w.device = d;
            if (d >= 0) {
                esrgan::vk::VulkanNetwork* g = &gpu(d, settings.precision);
                w.forward = [g](const esrgan::Tensor& t, const std::function<void()>& afterLayer) { return g->forward(t, afterLayer); };
                w.threads = 1;  // a GPU worker only reads and writes its tiles on the CPU
                w.classify = [](std::exception_ptr e) {
                    try {
                        std::rethrow_exception(e);
                    } catch (const esrgan::vk::VulkanError& v) {
                        return v.outOfMemory() ? esrgan::TileWorker::Failure::OutOfMemory : esrgan::TileWorker::Failure::DeviceFailed;
                    } catch (const std::bad_alloc&) {
                        return esrgan::TileWorker::Failure::OutOfMemory;
                    } catch (...) {
                        return esrgan::TileWorker::Failure::Fatal;
                    }
                };
            } else if (mixed && settings.threads == 0) {
                // leave a core to the GPU workers' submission threads
                w.threads = std::max(1, esrgan::CpuEngine::hardwareThreads() - static_cast<int>(devices.size() - 1));
            }
            workers.push_back(std::move(w));
        }
        esrgan::upscaleImage(*net_, esrgan::ImageView{src, width, height, channels}, dst, o, job.progress(), workers);
        return 0;
    });
}

void NativeModel::outputShape(int c, int h, int w, int* chw) const {
    translated([&] {
        esrgan::Shape s = net_->outputShape(esrgan::Shape{c, h, w});
        chw[0] = s.c;
        chw[1] = s.h;
        chw[2] = s.w;
        return 0;
    });
}

void NativeModel::forward(const float* input, int c, int h, int w, float* output) { forwardOn(-1, 0, input, c, h, w, output); }

void NativeModel::forwardOn(int device, int precision, const float* input, int c, int h, int w, float* output) {
    translated([&] {
        if (c <= 0 || h <= 0 || w <= 0) throw esrgan::InvalidArgument("input shape must be positive");
        esrgan::Tensor in = esrgan::fromPlanar(input, esrgan::Shape{c, h, w});
        esrgan::Tensor out = device >= 0 ? gpu(device, precision).forward(in) : net_->forward(in);
        esrgan::toPlanar(out, output);
        return 0;
    });
}

int NativeModel::storagePrecision(int device, int precision) {
    return translated([&] {
        if (device < 0) return static_cast<int>(esrgan::GpuPrecision::Fp32);
        return static_cast<int>(gpu(device, precision).fp16() ? esrgan::GpuPrecision::Fp16 : esrgan::GpuPrecision::Fp32);
    });
}

std::string cpuDescription() {
    const dnnl_version_t* v = dnnl_version();
    std::string onednn = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
    const char* forced = std::getenv("MC_CONV");
    bool winograd = esrgan::winograd::cpuSupported() && !(forced && std::string(forced) == "onednn");
    std::string kernels = winograd ? "Winograd F(4,3) AVX2 + " + onednn : onednn;
    return kernels + ", " + std::to_string(esrgan::CpuEngine::hardwareThreads()) + " threads";
}

int cpuThreads() { return esrgan::CpuEngine::hardwareThreads(); }

int gpuCount() { return static_cast<int>(esrgan::vk::Runtime::get().devices().size()); }

GpuInfo gpuInfo(int index) {
    return translated([&] {
        const auto& devices = esrgan::vk::Runtime::get().devices();
        if (index < 0 || index >= static_cast<int>(devices.size()))
            throw esrgan::InvalidArgument("no Vulkan device " + std::to_string(index));
        const esrgan::vk::DeviceInfo& d = devices[index];
        GpuInfo g;
        g.index = d.index;
        g.name = d.name;
        g.type = d.type;
        g.deviceLocalBytes = static_cast<long long>(d.deviceLocalBytes);
        g.fp16Arithmetic = d.fp16Arithmetic;
        g.fp16Storage = d.fp16Storage;
        g.apiVersion = d.apiVersionText();
        return g;
    });
}

void injectVulkanFault(const char* spec) {
    translated([&] {
        esrgan::vk::VulkanNetwork::injectFault(spec ? spec : "");
        return 0;
    });
}

std::string gpuUnavailableReason() { return esrgan::vk::Runtime::get().unavailableReason(); }

}  // namespace mcnative
