#include "vulkan/auto_tile.h"

#include <algorithm>

#include "runner/tile_plan.h"
#include "vulkan/memory_budget.h"

namespace esrgan::vk {

namespace {

constexpr int kMinTile = 32;
constexpr int kMinSharedTile = 64;

int alignUp(int v, int align) { return v + (align - v % align) % align; }

}  // namespace

uint64_t tileMemoryBudget(VulkanNetwork& gpu, const UpscaleOptions& options) {
    if (options.memoryBudgetMb > 0) return static_cast<uint64_t>(options.memoryBudgetMb) << 20;
    Device& device = gpu.device();
    uint64_t budget = availableDeviceMemory(Runtime::get().physicalDevice(device.info().index)) / 4 * 3;
    const std::string& type = device.info().type;
    if (type == "cpu" || type == "integrated" || budget == 0) {
        const uint64_t host = memoryBudgetBytes(options);
        budget = budget == 0 ? host : std::min(budget, host);
    }
    return budget;
}

int autoTileSize(const VulkanNetwork& gpu, int width, int height, const UpscaleOptions& options, uint64_t budgetBytes,
                 int deviceCount) {
    const Network& net = gpu.network();
    const int pad = options.tilePad >= 0 ? options.tilePad : defaultTilePad(net);
    const int align = net.alignment();
    // a tile of side t reads t plus its halo on both sides, at most the pre-padded image
    auto fits = [&](int t) {
        const int w = alignUp(std::min(t, width) + 2 * std::max(pad, options.prePad), align);
        const int h = alignUp(std::min(t, height) + 2 * std::max(pad, options.prePad), align);
        const Shape shape{net.inputChannels(), std::min(h, alignUp(height + 2 * options.prePad, align)),
                          std::min(w, alignUp(width + 2 * options.prePad, align))};
        if (!gpu.fits(shape) || gpu.bufferBytes(shape).second > budgetBytes) return false;
        return !options.tta || gpu.fits(Shape{shape.c, shape.w, shape.h});
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

}  // namespace esrgan::vk
