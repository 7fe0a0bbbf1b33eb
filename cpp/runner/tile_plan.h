#pragma once
#include <vector>

#include "graph/network.h"
#include "runner/options.h"

namespace esrgan {

class Backend;

struct Rect {
    int x0, y0, x1, y1;  // half-open
    int width() const { return x1 - x0; }
    int height() const { return y1 - y0; }
};

struct Tile {
    Rect owned;  // image pixels this tile writes
    Rect input;  // pixels it reads, in image coordinates; may extend past the image (mirrored)
};

struct TilePlan {
    int tileSize = 0, tilePad = 0, prePad = 0;
    std::vector<Tile> tiles;
};

int defaultTilePad(const Network& net);
// Host memory a tile may use: the options' budget, else half the available memory (256 MiB to 4 GiB).
size_t memoryBudgetBytes(const UpscaleOptions& options);
// The automatic tile side (LR pixels) for a width x height image on `backend`: the largest tile whose
// pass fits the backend's memory budget and buffer limits (the transposed tile too with TTA); the whole
// image when it fits. With several devices sharing the image, small enough that each gets at least
// two tiles (down to 64 px).
int autoTileSize(const Network& net, const Backend& backend, int width, int height, const UpscaleOptions& options, int deviceCount);
// Tiles of options.tileSize (> 0: resolve automatic sizes with autoTileSize first).
TilePlan planTiles(const Network& net, int width, int height, const UpscaleOptions& options);
// `tile` again as tiles of at most `size` owned pixels a side, padded like the plan's (to retry a
// tile that did not fit a device's memory).
std::vector<Tile> splitTile(const Network& net, const Tile& tile, int size, int width, int height, const TilePlan& plan);

}  // namespace esrgan
