#include "runner/tile_plan.h"

#include <algorithm>
#include <fstream>
#include <string>

#include "backend/backend.h"
#include "core/errors.h"

namespace esrgan {

namespace {

constexpr int kLargestExactHalo = 48;  // halos up to this cover the whole receptive field
constexpr int kDeepModelHalo = 24;     // for deep models (RRDB) whose reach is hundreds of pixels
constexpr int kMinTile = 32;
constexpr int kMinSharedTile = 64;

int alignUp(int v, int align) { return v + (align - v % align) % align; }

size_t availableMemoryBytes() {
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    size_t kb = 0;
    while (meminfo >> key >> kb) {
        if (key == "MemAvailable:") return kb * 1024;
        meminfo.ignore(256, '\n');
    }
    return size_t(4) << 30;
}

Rect inputRect(const Rect& owned, int width, int height, int pad, int prePad, int align) {
    Rect r{std::max(owned.x0 - pad, -prePad), std::max(owned.y0 - pad, -prePad), std::min(owned.x1 + pad, width + prePad),
           std::min(owned.y1 + pad, height + prePad)};
    // Networks with a Reorg need sides divisible by its stride: extend right/bottom (mirrored).
    r.x1 += (align - r.width() % align) % align;
    r.y1 += (align - r.height() % align) % align;
    return r;
}

}  // namespace

int defaultTilePad(const Network& net) {
    return net.receptiveRadius() <= kLargestExactHalo ? net.receptiveRadius() : kDeepModelHalo;
}

size_t memoryBudgetBytes(const UpscaleOptions& options) {
    if (options.memoryBudgetMb > 0) return static_cast<size_t>(options.memoryBudgetMb) << 20;
    return std::clamp(availableMemoryBytes() / 2, size_t(256) << 20, size_t(4) << 30);
}

TilePlan planTiles(const Network& net, int width, int height, const UpscaleOptions& options) {
    if (width <= 0 || height <= 0) throw InvalidArgument("the image is empty");
    if (options.tileSize != 0 && options.tileSize < kMinTile)
        throw InvalidArgument("tile size " + std::to_string(options.tileSize) + " is too small: use 0 (automatic) or at least " +
                              std::to_string(kMinTile));
    if (options.prePad < 0) throw InvalidArgument("pre-pad must not be negative");
    TilePlan plan;
    plan.prePad = options.prePad;
    plan.tilePad = options.tilePad >= 0 ? options.tilePad : defaultTilePad(net);
    const int align = net.alignment();

    if (options.tileSize <= 0) throw InvalidArgument("planTiles needs a resolved tile size");
    plan.tileSize = options.tileSize;
    for (int y = 0; y < height; y += plan.tileSize)
        for (int x = 0; x < width; x += plan.tileSize) {
            Rect owned{x, y, std::min(x + plan.tileSize, width), std::min(y + plan.tileSize, height)};
            plan.tiles.push_back(Tile{owned, inputRect(owned, width, height, plan.tilePad, plan.prePad, align)});
        }
    return plan;
}

int autoTileSize(const Network& net, const Backend& backend, int width, int height, const UpscaleOptions& options, int deviceCount) {
    if (width <= 0 || height <= 0) throw InvalidArgument("the image is empty");
    const int pad = options.tilePad >= 0 ? options.tilePad : defaultTilePad(net);
    const int align = net.alignment();
    const uint64_t budget = backend.memoryBudget(options);
    // a tile of side t reads t plus its halo on both sides, at most the pre-padded image
    auto fits = [&](int t) {
        const int w = alignUp(std::min(t, width) + 2 * std::max(pad, options.prePad), align);
        const int h = alignUp(std::min(t, height) + 2 * std::max(pad, options.prePad), align);
        const Shape shape{net.inputChannels(), std::min(h, alignUp(height + 2 * options.prePad, align)),
                          std::min(w, alignUp(width + 2 * options.prePad, align))};
        if (!backend.fits(shape) || backend.passBytes(shape) > budget) return false;
        return !options.tta || backend.fits(Shape{shape.c, shape.w, shape.h});
    };
    const int whole = std::max(width, height);
    int tile = kMinTile;
    if (fits(whole)) {
        tile = std::max(kMinTile, whole);
    } else {
        int lo = kMinTile, hi = whole;  // fits(lo) is assumed: below 32 px the tile would be mostly halo
        while (hi - lo > 8) {
            const int mid = (lo + hi) / 2;
            (fits(mid) ? lo : hi) = mid;
        }
        tile = lo;
    }
    if (deviceCount > 1) {
        auto tiles = [&](int t) { return static_cast<int64_t>((width + t - 1) / t) * ((height + t - 1) / t); };
        while (tile > kMinSharedTile && tiles(tile) < 2 * deviceCount) tile = std::max(kMinSharedTile, tile * 3 / 4);
    }
    return tile;
}

std::vector<Tile> splitTile(const Network& net, const Tile& tile, int size, int width, int height, const TilePlan& plan) {
    std::vector<Tile> tiles;
    for (int y = tile.owned.y0; y < tile.owned.y1; y += size)
        for (int x = tile.owned.x0; x < tile.owned.x1; x += size) {
            Rect owned{x, y, std::min(x + size, tile.owned.x1), std::min(y + size, tile.owned.y1)};
            tiles.push_back(Tile{owned, inputRect(owned, width, height, plan.tilePad, plan.prePad, net.alignment())});
        }
    return tiles;
}

}  // namespace esrgan
