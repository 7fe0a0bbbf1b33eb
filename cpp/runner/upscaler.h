#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "backend/backend.h"
#include "graph/network.h"
#include "runner/options.h"
#include "runner/output_bands.h"
#include "runner/pixels.h"

namespace esrgan {

// One device taking part in an upscale: `device` is -1 for the CPU or a Vulkan device index,
// `threads` its OpenMP threads for reading and writing tiles (0 = the options' setting).
struct TileWorker {
    int device = -1;
    Backend* backend = nullptr;
    int threads = 0;
};

// Where an upscale's pixels go: the whole image into `whole` ((width*scale) x (height*scale) x channels bytes), or
// bands of rows to `sink` as they complete (then memory is set by a few bands, not the image). Either may be set;
// with both, the bands are views of `whole`.
struct UpscaleOutput {
    uint8_t* whole = nullptr;
    BandSink sink;
};

// Upscales `in` with the tiles of options.tileSize (resolved, > 0) spread over the workers: one thread per worker
// pulls tiles from a shared queue (in order); the calling thread finishes each band of rows (alpha, the sink) as it
// completes. Colour goes through the network; alpha is resized bicubically over the whole image. A GPU worker that
// runs out of memory retries the tile in halves (down to 32 px); one that fails otherwise warns and finishes its
// tiles on `cpuFallback`. The first other failure (or a throwing sink) stops every worker and is rethrown: Cancelled
// when progress.cancelRequested is set, InvalidArgument for bad input.
void upscaleImage(const Network& net, const ImageView& in, const UpscaleOutput& out, const UpscaleOptions& options, Progress& progress,
                  const std::vector<TileWorker>& workers, const std::function<Backend&()>& cpuFallback);

}  // namespace esrgan
