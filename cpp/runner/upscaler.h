#pragma once
#include <cstdint>
#include <exception>
#include <string>
#include <functional>
#include <vector>

#include "model/network.h"
#include "runner/options.h"

namespace esrgan {

// An 8-bit interleaved image: 1 = gray, 2 = gray+alpha, 3 = RGB, 4 = RGBA.
struct ImageView {
    const uint8_t* pixels;
    int width, height, channels;
};

// Upscales `in` into `out` (width*scale x height*scale, same channel layout), tile by tile.
// Colour goes through the network; alpha is resized bicubically over the whole image.
// Throws Cancelled when progress.cancelRequested is set, InvalidArgument for bad input.
// `forward` runs the network on one tile (e.g. on a GPU); empty = net.forward on the CPU.
using ForwardPass = std::function<Tensor(const Tensor& input, const std::function<void()>& afterLayer)>;
void upscaleImage(Network& net, const ImageView& in, uint8_t* out, const UpscaleOptions& options, Progress& progress,
                  const ForwardPass& forward = {});

// One device taking part in an upscale: `device` is -1 for the CPU (then `forward` is empty) or a
// Vulkan device index, `threads` its OpenMP threads (0 = the options' setting).
struct TileWorker {
    int device = -1;
    ForwardPass forward;
    int threads = 0;
    // How to treat an exception from `forward`: Fatal rethrows, OutOfMemory retries the tile in
    // halves (down to 32 px, then as DeviceFailed), DeviceFailed warns and runs this worker's
    // remaining tiles on the CPU.
    enum class Failure { Fatal, OutOfMemory, DeviceFailed };
    std::function<Failure(std::exception_ptr)> classify;
};

// The same, spreading the tiles over several devices: one thread per worker pulls tiles from a
// shared queue and writes its outputs. The first failure stops the other workers and is rethrown.
void upscaleImage(Network& net, const ImageView& in, uint8_t* out, const UpscaleOptions& options, Progress& progress,
                  const std::vector<TileWorker>& workers);

}  // namespace esrgan
