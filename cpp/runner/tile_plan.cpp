#include "runner/tile_plan.h"

#include <algorithm>
#include <fstream>
#include <string>

#include "core/errors.h"

namespace esrgan {

namespace {

constexpr int kLargestExactHalo = 48;  // halos up to this cover the whole receptive field
constexpr int kDeepModelHalo = 24;     // for deep models (RRDB) whose reach is hundreds of pixels
constexpr int kMinTile = 32;

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

    if (options.tileSize > 0) {
        plan.tileSize = options.tileSize;
    } else {
        const size_t budget = memoryBudgetBytes(options);
        auto fits = [&](int inputW, int inputH) {
            inputW += (align - inputW % align) % align;
            inputH += (align - inputH % align) % align;
            return net.peakBytes(Shape{net.inputChannels(), inputH, inputW}) <= budget;
        };
        const int context = 2 * std::max(plan.tilePad, plan.prePad);
        if (fits(width + 2 * plan.prePad, height + 2 * plan.prePad)) {
            plan.tileSize = std::max(width, height);
        } else {
            int lo = kMinTile, hi = std::max(width, height);
            while (hi - lo > 8) {
                int mid = (lo + hi) / 2;
                (fits(mid + context, mid + context) ? lo : hi) = mid;
            }
            plan.tileSize = lo;
        }
    }
    for (int y = 0; y < height; y += plan.tileSize)
        for (int x = 0; x < width; x += plan.tileSize) {
            Rect owned{x, y, std::min(x + plan.tileSize, width), std::min(y + plan.tileSize, height)};
            plan.tiles.push_back(Tile{owned, inputRect(owned, width, height, plan.tilePad, plan.prePad, align)});
        }
    return plan;
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
