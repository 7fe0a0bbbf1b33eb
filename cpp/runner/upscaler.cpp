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
#include "runner/alpha.h"
#include "runner/tile_plan.h"
#include "runner/tta.h"

namespace esrgan {

namespace {
// Bands in flight when streaming: one per worker and one being finished.
int streamingBands(size_t workers) { return static_cast<int>(workers) + 1; }
}  // namespace

void upscaleImage(const Network& net, const ImageView& img, const UpscaleOutput& output, const UpscaleOptions& options, Progress& progress,
                  const std::vector<TileWorker>& workers, const std::function<Backend&()>& cpuFallback) {
    if (img.channels < 1 || img.channels > 4) throw InvalidArgument("images must have 1 to 4 channels, got " + std::to_string(img.channels));
    if (!img.pixels || (!output.whole && !output.sink)) throw InvalidArgument("missing pixel buffer");
    if (workers.empty()) throw InvalidArgument("no device to run on");
    setThreads(options.threads);
    const TilePlan plan = planTiles(net, img.width, img.height, options);
    const int scale = net.scale();
    const int passes = options.tta ? 8 : 1;
    progress.tilesTotal = static_cast<int>(plan.tiles.size());
    progress.total = static_cast<int64_t>(plan.tiles.size()) * passes * net.layerCount();
    const int rowBytes = img.width * scale * img.channels;
    OutputBands bands(plan, img.height, rowBytes, scale, output.whole, streamingBands(workers.size()));
    const RowAccess rows = [&bands](int y) { return bands.row(y); };
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
            writeTile(result, tile, scale, img, rows);
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
            const int band = bands.bandOf(plan.tiles[index]);
            if (!bands.acquire(band)) throw Cancelled();
            process(plan.tiles[index], plan.tileSize);
            bands.tileDone(band);
            const int slot = std::min(std::max(worker.device + 1, 0), Progress::kMaxDevices - 1);
            progress.tilesByDevice[slot].fetch_add(1);
            progress.tilesDone.fetch_add(1);
        }
    };

    std::vector<std::exception_ptr> errors(workers.size() + 1);
    std::vector<std::thread> threads;
    const bool alpha = img.channels == 2 || img.channels == 4;
    const AlphaResizer alphaResizer(img, scale);
    auto finish = [&](int band) {
        checkCancel();
        if (alpha) alphaResizer.rows(bands.firstRow(band), bands.endRow(band), rows);
        if (output.sink) output.sink(bands.firstRow(band), bands.endRow(band) - bands.firstRow(band), bands.row(bands.firstRow(band)));
    };
    if (workers.size() == 1 && !output.sink) {
        // The common case (one device, the whole image in memory): tiles on this thread, then the bands' alpha.
        work(workers[0]);
        bands.drain(finish);
        return;
    }
    for (size_t i = 0; i < workers.size(); ++i) {
        threads.emplace_back([&, i] {
            try {
                // OpenMP thread counts are per calling thread: set this worker's own.
                setThreads(workers[i].threads > 0 ? workers[i].threads : options.threads);
                work(workers[i]);
            } catch (...) {
                errors[i] = std::current_exception();
                failed = true;
                bands.stop();
            }
        });
    }
    try {
        bands.drain(finish);
    } catch (...) {
        errors.back() = std::current_exception();
        failed = true;
        bands.stop();
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

}  // namespace esrgan
