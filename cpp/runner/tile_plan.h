#pragma once
#include <vector>

#include "model/network.h"
#include "runner/options.h"

namespace esrgan {

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
size_t memoryBudgetBytes(const UpscaleOptions& options);
TilePlan planTiles(const Network& net, int width, int height, const UpscaleOptions& options);
// `tile` again as tiles of at most `size` owned pixels a side, padded like the plan's (to retry a
// tile that did not fit a device's memory).
std::vector<Tile> splitTile(const Network& net, const Tile& tile, int size, int width, int height, const TilePlan& plan);

}  // namespace esrgan
