#pragma once
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "runner/tile_plan.h"

namespace esrgan {

// Receives the upscaled image as bands of whole rows (rows [y0, y0 + rows), width * scale pixels each), top to
// bottom, on the thread that called the upscale. The pixels are valid during the call only.
using BandSink = std::function<void(int y0, int rows, const uint8_t* pixels)>;

// The upscaled image, organised by rows of tiles: each row of the tile plan is one band of output rows. Either the
// bands are views of one whole-image buffer, or each band has its own buffer, freed once it was handed to the sink; then
// at most `maxInFlight` bands exist at once (tiles of later bands wait), so memory is set by the band, not the image.
class OutputBands {
public:
    OutputBands(const TilePlan& plan, int imageHeight, int rowBytes, int scale, uint8_t* whole, int maxInFlight);

    int bandCount() const { return static_cast<int>(bands_.size()); }
    int bandOf(const Tile& tile) const { return tile.owned.y0 / tileRows_; }
    // Output rows [first, end) of a band.
    int firstRow(int band) const { return band * tileRows_ * scale_; }
    int endRow(int band) const;

    // Blocks until `band` may be written (fewer than maxInFlight bands ahead of the last one emitted); returns false
    // when stop() was called meanwhile.
    bool acquire(int band);
    // The start of output row y, in its band's buffer.
    uint8_t* row(int y);
    // One tile of `band` finished.
    void tileDone(int band);
    // Wakes every waiter: the upscale failed or was cancelled.
    void stop();

    // On the calling thread: waits for each band in order to complete, runs `finish` on it (alpha, the sink), then
    // frees its buffer. Returns when every band was finished, or false early when stop() was called.
    bool drain(const std::function<void(int band)>& finish);

private:
    struct Band {
        int tiles = 0, done = 0;
        std::unique_ptr<uint8_t[]> own;
        uint8_t* data = nullptr;
    };
    int tileRows_, scale_, rowBytes_, imageHeight_, maxInFlight_;
    uint8_t* whole_;
    std::vector<Band> bands_;
    int emitted_ = 0;
    bool stopped_ = false;
    std::mutex mutex_;
    std::condition_variable changed_;
};

}  // namespace esrgan
