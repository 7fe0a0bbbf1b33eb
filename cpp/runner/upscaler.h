#pragma once
#include <cstdint>
#include <exception>
#include <string>
#include <functional>
#include <vector>

#include "backend/backend.h"
#include "graph/network.h"
#include "runner/options.h"

namespace esrgan {

// An 8-bit interleaved image: 1 = gray, 2 = gray+alpha, 3 = RGB, 4 = RGBA.
struct ImageView {
    const uint8_t* pixels;
    int width, height, channels;
};

// One device taking part in an upscale: `device` is -1 for the CPU or a Vulkan device index,
// `threads` its OpenMP threads for reading and writing tiles (0 = the options' setting).
struct TileWorker {
    int device = -1;
    Backend* backend = nullptr;
    int threads = 0;
};

// Upscales `in` into `out` (width*scale x height*scale, same channel layout) with the tiles of
// options.tileSize (resolved, > 0) spread over the workers: one thread per worker pulls tiles from a
// shared queue. Colour goes through the network; alpha is resized bicubically over the whole image.
// A GPU worker that runs out of memory retries the tile in halves (down to 32 px); one that fails
// otherwise warns and finishes its tiles on `cpuFallback`. The first other failure stops every worker
// and is rethrown: Cancelled when progress.cancelRequested is set, InvalidArgument for bad input.
void upscaleImage(const Network& net, const ImageView& in, uint8_t* out, const UpscaleOptions& options, Progress& progress,
                  const std::vector<TileWorker>& workers, const std::function<Backend&()>& cpuFallback);

}  // namespace esrgan
