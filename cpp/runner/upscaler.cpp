#include "runner/upscaler.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/errors.h"
#include "core/threads.h"
#include "core/resample.h"
#include "runner/tile_plan.h"
#include "runner/tta.h"

namespace esrgan {

namespace {

// Mirror without repeating the edge pixel (reflect-101), folded as often as needed.
int reflect101(int i, int n) {
    if (n == 1) return 0;
    const int period = 2 * (n - 1);
    i %= period;
    if (i < 0) i += period;
    return i < n ? i : period - i;
}

float luma(const uint8_t* p) { return 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]; }

uint8_t quantize(float v) {
    float scaled = std::min(std::max(v * 255.f, 0.f), 255.f);  // clamp in float, then round half up
    return static_cast<uint8_t>(std::floor(scaled + 0.5f));
}

Tensor readTile(const ImageView& img, const Rect& r, int modelChannels) {
    const int colorChannels = img.channels >= 3 ? 3 : 1;
    Tensor t = Tensor::uninitialized(Shape{modelChannels, r.height(), r.width()});
    const float norm = 1.f / 255.f;
#pragma omp parallel for schedule(static)
    for (int y = 0; y < r.height(); ++y) {
        const int sy = reflect101(r.y0 + y, img.height);
        for (int x = 0; x < r.width(); ++x) {
            const int sx = reflect101(r.x0 + x, img.width);
            const uint8_t* p = img.pixels + (static_cast<size_t>(sy) * img.width + sx) * img.channels;
            if (modelChannels == 3) {
                for (int c = 0; c < 3; ++c) t.at(c, y, x) = p[colorChannels == 3 ? c : 0] * norm;
            } else {
                t.at(0, y, x) = (colorChannels == 3 ? luma(p) : p[0]) * norm;
            }
        }
    }
    return t;
}

void writeTile(const Tensor& result, const Tile& tile, int scale, const ImageView& img, uint8_t* out) {
    const int colorChannels = img.channels >= 3 ? 3 : 1;
    const int outW = img.width * scale;
    const int offX = (tile.owned.x0 - tile.input.x0) * scale, offY = (tile.owned.y0 - tile.input.y0) * scale;
    const int w = tile.owned.width() * scale, h = tile.owned.height() * scale;
#pragma omp parallel for schedule(static)
    for (int y = 0; y < h; ++y) {
        uint8_t* row = out + (static_cast<size_t>(tile.owned.y0 * scale + y) * outW + tile.owned.x0 * scale) * img.channels;
        for (int x = 0; x < w; ++x) {
            uint8_t* p = row + static_cast<size_t>(x) * img.channels;
            if (result.c() >= 3 && colorChannels == 3) {
                for (int c = 0; c < 3; ++c) p[c] = quantize(result.at(c, offY + y, offX + x));
            } else if (result.c() >= 3) {
                p[0] = quantize(0.299f * result.at(0, offY + y, offX + x) + 0.587f * result.at(1, offY + y, offX + x) +
                                0.114f * result.at(2, offY + y, offX + x));
            } else {
                uint8_t v = quantize(result.at(0, offY + y, offX + x));
                for (int c = 0; c < colorChannels; ++c) p[c] = v;
            }
        }
    }
}

void upscaleAlpha(const ImageView& img, int scale, uint8_t* out) {
    const int alphaIndex = img.channels - 1;
    const int outW = img.width * scale, outH = img.height * scale;
    std::vector<float> alpha(static_cast<size_t>(img.width) * img.height);
    for (size_t i = 0; i < alpha.size(); ++i) alpha[i] = img.pixels[i * img.channels + alphaIndex];
    std::vector<float> resized(static_cast<size_t>(outW) * outH);
    resizePlane(alpha.data(), img.width, img.height, resized.data(), outW, outH, ResizeType::Bicubic);
    for (size_t i = 0; i < resized.size(); ++i)
        out[i * img.channels + alphaIndex] = static_cast<uint8_t>(std::floor(std::min(std::max(resized[i], 0.f), 255.f) + 0.5f));
}

}  // namespace

void upscaleImage(const Network& net, const ImageView& img, uint8_t* out, const UpscaleOptions& options, Progress& progress,
                  const std::vector<TileWorker>& workers, const std::function<Backend&()>& cpuFallback) {
    if (img.channels < 1 || img.channels > 4) throw InvalidArgument("images must have 1 to 4 channels, got " + std::to_string(img.channels));
    if (!img.pixels || !out) throw InvalidArgument("missing pixel buffer");
    if (workers.empty()) throw InvalidArgument("no device to run on");
    setThreads(options.threads);
    const TilePlan plan = planTiles(net, img.width, img.height, options);
    const int scale = net.scale();
    const int passes = options.tta ? 8 : 1;
    progress.tilesTotal = static_cast<int>(plan.tiles.size());
    progress.total = static_cast<int64_t>(plan.tiles.size()) * passes * net.layerCount();
    std::atomic<bool> failed{false};
    auto checkCancel = [&progress, &failed] {
        if (progress.cancelRequested.load() || failed.load()) throw Cancelled();
    };
    std::atomic<size_t> nextTile{0};

    auto work = [&](const TileWorker& initial) {
        TileWorker worker = initial;
        std::function<void()> afterLayerFn = [&] {
            progress.done.fetch_add(1);
            checkCancel();
        };
        auto run = [&](const Tensor& t) { return worker.backend->forward(t, afterLayerFn); };
        auto compute = [&](const Tile& tile) {
            Tensor input = readTile(img, tile.input, net.inputChannels());
            Tensor result;
            if (passes == 1) {
                result = run(input);
            } else {
                for (const Symmetry& s : kSymmetries) {
                    Tensor one = undoSymmetry(run(applySymmetry(input, s)), s);
                    if (result.empty()) {
                        result = one;
                    } else {
                        float* acc = result.data();
                        const float* add = one.data();
                        for (size_t i = 0; i < result.size(); ++i) acc[i] += add[i];
                    }
                }
                for (size_t i = 0; i < result.size(); ++i) result.data()[i] *= 0.125f;
            }
            if (result.w() != tile.input.width() * scale || result.h() != tile.input.height() * scale)
                throw ModelError("the model produced " + std::to_string(result.w()) + "x" + std::to_string(result.h()) + " from a " +
                                 std::to_string(tile.input.width()) + "x" + std::to_string(tile.input.height()) + " tile, expected x" +
                                 std::to_string(scale));
            writeTile(result, tile, scale, img, out);
        };
        std::function<void(const Tile&, int)> process = [&](const Tile& tile, int size) {
            try {
                compute(tile);
                return;
            } catch (...) {
                if (worker.device < 0) throw;
                const ErrorCode code = describeError(std::current_exception()).code;
                const bool outOfMemory = code == ErrorCode::DeviceOutOfMemory || code == ErrorCode::OutOfMemory;
                if (!outOfMemory && code != ErrorCode::DeviceFailed) throw;
                std::string what = "unknown error";
                try {
                    throw;
                } catch (const std::exception& e) {
                    what = e.what();
                } catch (...) {
                }
                if (outOfMemory && size / 2 >= 32) {
                    progress.warn("device " + std::to_string(worker.device) + ": " + what + "; retrying a tile at " +
                                  std::to_string(size / 2) + " px");
                    for (const Tile& sub : splitTile(net, tile, size / 2, img.width, img.height, plan)) process(sub, size / 2);
                    return;
                }
                progress.warn("device " + std::to_string(worker.device) + " failed (" + what + "); finishing its tiles on the CPU");
                worker.backend = &cpuFallback();
                worker.device = -1;
                setThreads(options.threads);
            }
            compute(tile);
        };
        for (;;) {
            checkCancel();
            const size_t index = nextTile.fetch_add(1);
            if (index >= plan.tiles.size()) break;
            process(plan.tiles[index], plan.tileSize);
            const int slot = std::min(std::max(worker.device + 1, 0), Progress::kMaxDevices - 1);
            progress.tilesByDevice[slot].fetch_add(1);
            progress.tilesDone.fetch_add(1);
        }
    };

    if (workers.size() == 1) {
        work(workers[0]);
    } else {
        std::vector<std::exception_ptr> errors(workers.size());
        std::vector<std::thread> threads;
        for (size_t i = 0; i < workers.size(); ++i) {
            threads.emplace_back([&, i] {
                try {
                    // OpenMP thread counts are per calling thread: set this worker's own.
                    setThreads(workers[i].threads > 0 ? workers[i].threads : options.threads);
                    work(workers[i]);
                } catch (...) {
                    errors[i] = std::current_exception();
                    failed = true;
                }
            });
        }
        for (auto& t : threads) t.join();
        // Rethrow the first real failure; a worker stopped because another failed only reports Cancelled.
        std::exception_ptr cancelled;
        for (auto& e : errors) {
            if (!e) continue;
            try {
                std::rethrow_exception(e);
            } catch (const Cancelled&) {
                cancelled = e;
            } catch (...) {
                throw;
            }
        }
        if (cancelled) std::rethrow_exception(cancelled);
    }
    if (img.channels == 2 || img.channels == 4) {
        checkCancel();
        upscaleAlpha(img, scale, out);
    }
}

}  // namespace esrgan
