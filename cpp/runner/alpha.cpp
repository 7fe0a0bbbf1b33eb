#include "runner/alpha.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace esrgan {

AlphaResizer::AlphaResizer(const ImageView& img, int scale)
    : img_(img),
      outW_(img.width * scale),
      outH_(img.height * scale),
      tx_(makeResampleTaps(img.width, outW_, ResizeType::Bicubic, false, 1.f / scale)),
      ty_(makeResampleTaps(img.height, outH_, ResizeType::Bicubic, false, 1.f / scale)) {}

void AlphaResizer::rows(int y0, int y1, const RowAccess& out) const {
    if (y0 >= y1) return;
    const int alphaIndex = img_.channels - 1;
    int first = img_.height, last = -1;
    for (int y = y0; y < y1; ++y)
        for (int k = 0; k < ty_.taps; ++k) {
            first = std::min(first, ty_.index[y * ty_.taps + k]);
            last = std::max(last, ty_.index[y * ty_.taps + k]);
        }
    // The horizontal pass of the input rows under this band's taps.
    std::vector<float> rows(static_cast<size_t>(last - first + 1) * outW_);
#pragma omp parallel for schedule(static)
    for (int iy = first; iy <= last; ++iy) {
        const uint8_t* src = img_.pixels + static_cast<size_t>(iy) * img_.width * img_.channels + alphaIndex;
        float* r = rows.data() + static_cast<size_t>(iy - first) * outW_;
        for (int x = 0; x < outW_; ++x) {
            float acc = 0.f;
            for (int k = 0; k < tx_.taps; ++k) acc += tx_.weight[x * tx_.taps + k] * src[static_cast<size_t>(tx_.index[x * tx_.taps + k]) * img_.channels];
            r[x] = acc;
        }
    }
#pragma omp parallel for schedule(static)
    for (int y = y0; y < y1; ++y) {
        uint8_t* dst = out(y) + alphaIndex;
        for (int x = 0; x < outW_; ++x) {
            float v = 0.f;
            for (int k = 0; k < ty_.taps; ++k)
                v += ty_.weight[y * ty_.taps + k] * rows[static_cast<size_t>(ty_.index[y * ty_.taps + k] - first) * outW_ + x];
            dst[static_cast<size_t>(x) * img_.channels] = static_cast<uint8_t>(std::floor(std::min(std::max(v, 0.f), 255.f) + 0.5f));
        }
    }
}

}  // namespace esrgan
