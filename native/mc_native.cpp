#include "mc_native.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdlib>
#include <new>
#include <stdexcept>

#include "core/errors.h"
#include "cpu/cpu_engine.h"
#include "cpu/winograd3x3.h"
#include "model/network.h"
#include "runner/tile_plan.h"
#include "runner/upscaler.h"

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
    return o;
}

}  // namespace

UpscaleJob::UpscaleJob() : progress_(new esrgan::Progress()) {}
UpscaleJob::~UpscaleJob() = default;
void UpscaleJob::cancel() { progress_->cancelRequested = true; }
bool UpscaleJob::isCancelled() const { return progress_->cancelRequested.load(); }
double UpscaleJob::fraction() const {
    int64_t total = progress_->total.load();
    return total > 0 ? static_cast<double>(progress_->done.load()) / total : 0.0;
}
int UpscaleJob::tilesDone() const { return progress_->tilesDone.load(); }
int UpscaleJob::tilesTotal() const { return progress_->tilesTotal.load(); }

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

int NativeModel::plannedTileSize(int width, int height, const UpscaleSettings& settings) const {
    return translated([&] { return esrgan::planTiles(*net_, width, height, toOptions(settings)).tileSize; });
}

int NativeModel::plannedTileCount(int width, int height, const UpscaleSettings& settings) const {
    return translated([&] { return static_cast<int>(esrgan::planTiles(*net_, width, height, toOptions(settings)).tiles.size()); });
}

void NativeModel::upscale(const unsigned char* src, int width, int height, int channels, unsigned char* dst,
                          const UpscaleSettings& settings, UpscaleJob& job) {
    translated([&] {
        esrgan::upscaleImage(*net_, esrgan::ImageView{src, width, height, channels}, dst, toOptions(settings), job.progress());
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

void NativeModel::forward(const float* input, int c, int h, int w, float* output) {
    translated([&] {
        if (c <= 0 || h <= 0 || w <= 0) throw esrgan::InvalidArgument("input shape must be positive");
        esrgan::Tensor out = net_->forward(esrgan::fromPlanar(input, esrgan::Shape{c, h, w}));
        esrgan::toPlanar(out, output);
        return 0;
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

}  // namespace mcnative
