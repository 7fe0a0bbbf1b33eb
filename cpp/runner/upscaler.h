#pragma once
#include <cstdint>

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
void upscaleImage(Network& net, const ImageView& in, uint8_t* out, const UpscaleOptions& options, Progress& progress);

}  // namespace esrgan
