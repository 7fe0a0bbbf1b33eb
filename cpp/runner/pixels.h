#pragma once
#include <cstdint>
#include <functional>

#include "core/tensor.h"
#include "runner/tile_plan.h"

namespace esrgan {

// An 8-bit interleaved image: 1 = gray, 2 = gray+alpha, 3 = RGB, 4 = RGBA.
struct ImageView {
    const uint8_t* pixels;
    int width, height, channels;
};

// Where output row y (of the upscaled image) starts: channels bytes per pixel, width * scale pixels.
using RowAccess = std::function<uint8_t*(int y)>;

// The network input of one tile: its pixels scaled to [0, 1], mirrored (reflect-101) past the image, RGB or
// luma as the model takes.
Tensor readTile(const ImageView& img, const Rect& r, int modelChannels);
// The colour of a tile's owned pixels from the network output (clamped in float, rounded); alpha is not touched.
void writeTile(const Tensor& result, const Tile& tile, int scale, const ImageView& img, const RowAccess& out);

}  // namespace esrgan
