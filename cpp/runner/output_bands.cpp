#include "runner/output_bands.h"

#include <algorithm>

namespace esrgan {

OutputBands::OutputBands(const TilePlan& plan, int imageHeight, int rowBytes, int scale, uint8_t* whole, int maxInFlight)
    : tileRows_(plan.tileSize), scale_(scale), rowBytes_(rowBytes), imageHeight_(imageHeight), maxInFlight_(std::max(1, maxInFlight)),
      whole_(whole) {
    bands_.resize((imageHeight + tileRows_ - 1) / tileRows_);
    for (const Tile& t : plan.tiles) bands_[bandOf(t)].tiles++;
}

int OutputBands::endRow(int band) const { return std::min((band + 1) * tileRows_, imageHeight_) * scale_; }

bool OutputBands::acquire(int band) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (whole_) {
        if (!bands_[band].data) bands_[band].data = whole_ + static_cast<size_t>(firstRow(band)) * rowBytes_;
        return !stopped_;
    }
    changed_.wait(lock, [&] { return stopped_ || band < emitted_ + maxInFlight_; });
    if (stopped_) return false;
    Band& b = bands_[band];
    if (!b.data) {
        b.own.reset(new uint8_t[static_cast<size_t>(endRow(band) - firstRow(band)) * rowBytes_]);
        b.data = b.own.get();
    }
    return true;
}

uint8_t* OutputBands::row(int y) {
    const int band = y / (tileRows_ * scale_);
    return bands_[band].data + static_cast<size_t>(y - firstRow(band)) * rowBytes_;
}

void OutputBands::tileDone(int band) {
    std::lock_guard<std::mutex> lock(mutex_);
    bands_[band].done++;
    changed_.notify_all();
}

void OutputBands::stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
    changed_.notify_all();
}

bool OutputBands::drain(const std::function<void(int band)>& finish) {
    for (int band = 0; band < bandCount(); ++band) {
        {
            std::unique_lock<std::mutex> lock(mutex_);
            changed_.wait(lock, [&] { return stopped_ || bands_[band].done >= bands_[band].tiles; });
            if (stopped_) return false;
        }
        finish(band);
        std::lock_guard<std::mutex> lock(mutex_);
        bands_[band].own.reset();
        if (!whole_) bands_[band].data = nullptr;
        emitted_ = band + 1;
        changed_.notify_all();
    }
    return true;
}

}  // namespace esrgan
