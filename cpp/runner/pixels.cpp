#include "runner/pixels.h"

#include <algorithm>
#include <cmath>

namespace esrgan {

namespace {

// Mirror without repeating the edge pixel (reflect-101), folded as often as needed.
int reflect101(int i, int n) {
    if (n == 1) return 0;
    const int period = 2 * (n - 1);
    i %= period;
    if (i < 0) i += period;
    return i < n ? i : period - i;
}

float luma(const uint8_t* p) { return 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]; }

uint8_t quantize(float v) {
    float scaled = std::min(std::max(v * 255.f, 0.f), 255.f);  // clamp in float, then round half up
    return static_cast<uint8_t>(std::floor(scaled + 0.5f));
}

}  // namespace

Tensor readTile(const ImageView& img, const Rect& r, int modelChannels) {
    const int colorChannels = img.channels >= 3 ? 3 : 1;
    Tensor t = Tensor::uninitialized(Shape{modelChannels, r.height(), r.width()});
    const float norm = 1.f / 255.f;
#pragma omp parallel for schedule(static)
    for (int y = 0; y < r.height(); ++y) {
        const int sy = reflect101(r.y0 + y, img.height);
        for (int x = 0; x < r.width(); ++x) {
            const int sx = reflect101(r.x0 + x, img.width);
            const uint8_t* p = img.pixels + (static_cast<size_t>(sy) * img.width + sx) * img.channels;
            if (modelChannels == 3) {
                for (int c = 0; c < 3; ++c) t.at(c, y, x) = p[colorChannels == 3 ? c : 0] * norm;
            } else {
                t.at(0, y, x) = (colorChannels == 3 ? luma(p) : p[0]) * norm;
            }
        }
    }
    return t;
}

void writeTile(const Tensor& result, const Tile& tile, int scale, const ImageView& img, const RowAccess& out) {
    const int colorChannels = img.channels >= 3 ? 3 : 1;
    const int offX = (tile.owned.x0 - tile.input.x0) * scale, offY = (tile.owned.y0 - tile.input.y0) * scale;
    const int w = tile.owned.width() * scale, h = tile.owned.height() * scale;
#pragma omp parallel for schedule(static)
    for (int y = 0; y < h; ++y) {
        uint8_t* row = out(tile.owned.y0 * scale + y) + static_cast<size_t>(tile.owned.x0) * scale * img.channels;
        for (int x = 0; x < w; ++x) {
            uint8_t* p = row + static_cast<size_t>(x) * img.channels;
            if (result.c() >= 3 && colorChannels == 3) {
                for (int c = 0; c < 3; ++c) p[c] = quantize(result.at(c, offY + y, offX + x));
            } else if (result.c() >= 3) {
                p[0] = quantize(0.299f * result.at(0, offY + y, offX + x) + 0.587f * result.at(1, offY + y, offX + x) +
                                0.114f * result.at(2, offY + y, offX + x));
            } else {
                uint8_t v = quantize(result.at(0, offY + y, offX + x));
                for (int c = 0; c < colorChannels; ++c) p[c] = v;
            }
        }
    }
}

}  // namespace esrgan
