#include "mc_native.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "core/errors.h"
#include "core/threads.h"
#include "cpu/cpu_engine.h"
#include "runner/model.h"
#include "runner/tile_plan.h"
#include "vulkan/runtime.h"
#include "vulkan/vulkan_backend.h"

namespace mcnative {

namespace {

// Runs `body`; a failure is reported in `status` and the call returns `fallback`.
template <typename T, typename F>
T reporting(Status& status, T fallback, F&& body) {
    status = Status{};
    try {
        return body();
    } catch (...) {
        const esrgan::ErrorReport report = esrgan::describeError(std::current_exception());
        status.code = static_cast<int>(report.code);
        status.message = report.message;
        return fallback;
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
    return o;
}

esrgan::Model& loaded(const std::unique_ptr<esrgan::Model>& model) {
    if (!model) throw esrgan::InvalidArgument("the model is not loaded");
    return *model;
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

NativeModel::NativeModel(const char* paramPath, const char* binPath, const int* devices, int deviceCount, int precision, Status& status) {
    reporting(status, 0, [&] {
        if (!paramPath || !binPath) throw esrgan::InvalidArgument("model paths must not be null");
        if (precision < 0 || precision > 3) throw esrgan::InvalidArgument("unknown precision " + std::to_string(precision));
        esrgan::ModelSettings settings;
        settings.devices.assign(devices, devices + std::max(deviceCount, 0));
        settings.precision = static_cast<esrgan::Precision>(precision);
        model_ = std::make_unique<esrgan::Model>(paramPath, binPath, settings);
        return 0;
    });
}

NativeModel::~NativeModel() = default;

int NativeModel::scale() const { return model_ ? model_->network().scale() : 0; }
int NativeModel::inputChannels() const { return model_ ? model_->network().inputChannels() : 0; }
int NativeModel::outputChannels() const { return model_ ? model_->network().outputChannels() : 0; }
int NativeModel::receptiveRadius() const { return model_ ? model_->network().receptiveRadius() : 0; }
int NativeModel::defaultTilePad() const { return model_ ? esrgan::defaultTilePad(model_->network()) : 0; }
int NativeModel::layerCount() const { return model_ ? static_cast<int>(model_->network().layerCount()) : 0; }

int NativeModel::plannedTileSize(int width, int height, const UpscaleSettings& settings, Status& status) {
    return reporting(status, 0, [&] { return loaded(model_).plan(width, height, toOptions(settings)).tileSize; });
}

int NativeModel::plannedTileCount(int width, int height, const UpscaleSettings& settings, Status& status) {
    return reporting(status, 0, [&] { return static_cast<int>(loaded(model_).plan(width, height, toOptions(settings)).tiles.size()); });
}

void NativeModel::upscale(const unsigned char* src, int width, int height, int channels, unsigned char* dst, const UpscaleSettings& settings,
                          UpscaleJob& job, Status& status) {
    reporting(status, 0, [&] {
        esrgan::UpscaleOutput out;
        out.whole = dst;
        loaded(model_).upscale(esrgan::ImageView{src, width, height, channels}, out, toOptions(settings), job.progress());
        return 0;
    });
}

void NativeModel::upscaleBands(const unsigned char* src, int width, int height, int channels, BandReceiver& receiver,
                               const UpscaleSettings& settings, UpscaleJob& job, Status& status) {
    reporting(status, 0, [&] {
        esrgan::UpscaleOutput out;
        out.sink = [&receiver](int y0, int rows, const uint8_t* pixels) { receiver.band(y0, rows, pixels); };
        loaded(model_).upscale(esrgan::ImageView{src, width, height, channels}, out, toOptions(settings), job.progress());
        return 0;
    });
}

void NativeModel::outputShape(int c, int h, int w, int* chw, Status& status) const {
    reporting(status, 0, [&] {
        const esrgan::Shape s = loaded(model_).network().outputShape(esrgan::Shape{c, h, w});
        chw[0] = s.c;
        chw[1] = s.h;
        chw[2] = s.w;
        return 0;
    });
}

void NativeModel::forward(int device, const float* input, int c, int h, int w, float* output, Status& status) {
    reporting(status, 0, [&] {
        if (c <= 0 || h <= 0 || w <= 0) throw esrgan::InvalidArgument("input shape must be positive");
        const esrgan::Tensor out = loaded(model_).forward(device, esrgan::fromPlanar(input, esrgan::Shape{c, h, w}));
        esrgan::toPlanar(out, output);
        return 0;
    });
}

int NativeModel::storagePrecision(int device, Status& status) {
    return reporting(status, 0, [&] {
        return static_cast<int>(loaded(model_).fp16Storage(device) ? esrgan::Precision::Fp16 : esrgan::Precision::Fp32);
    });
}

std::string NativeModel::describeDevice(int device, Status& status) {
    return reporting(status, std::string(), [&] { return loaded(model_).describe(device); });
}

std::string cpuDescription() { return esrgan::CpuEngine::describe(); }

int cpuThreads() { return esrgan::hardwareThreads(); }

int gpuCount() { return static_cast<int>(esrgan::vk::Runtime::get().devices().size()); }

GpuInfo gpuInfo(int index, Status& status) {
    return reporting(status, GpuInfo{}, [&] {
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

void injectVulkanFault(const char* spec, Status& status) {
    reporting(status, 0, [&] {
        esrgan::vk::VulkanBackend::injectFault(spec ? spec : "");
        return 0;
    });
}

std::string gpuUnavailableReason() { return esrgan::vk::Runtime::get().unavailableReason(); }

}  // namespace mcnative
