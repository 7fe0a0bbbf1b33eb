#include "core/resample.h"

#include <algorithm>
#include <cmath>

namespace esrgan {

namespace {

float cubicWeight(float s) {
    const float A = -0.75f;
    s = std::fabs(s);
    if (s <= 1.f) return ((A + 2.f) * s - (A + 3.f)) * s * s + 1.f;
    if (s < 2.f) return ((A * s - 5.f * A) * s + 8.f * A) * s - 4.f * A;
    return 0.f;
}

int clampIndex(int i, int n) { return std::min(std::max(i, 0), n - 1); }

}  // namespace

ResampleTaps makeResampleTaps(int inSize, int outSize, ResizeType type, bool alignCorner, float nearestStep) {
    ResampleTaps taps;
    if (type == ResizeType::Nearest) {
        taps.taps = 1;
        for (int d = 0; d < outSize; ++d) {
            taps.index.push_back(std::min(static_cast<int>(d * nearestStep), inSize - 1));
            taps.weight.push_back(1.f);
        }
        return taps;
    }
    taps.taps = type == ResizeType::Bilinear ? 2 : 4;
    const float scale = alignCorner ? (outSize > 1 ? static_cast<float>(inSize - 1) / (outSize - 1) : 0.f)
                                    : static_cast<float>(inSize) / outSize;
    for (int d = 0; d < outSize; ++d) {
        float f = alignCorner ? d * scale : (d + 0.5f) * scale - 0.5f;
        int i0 = static_cast<int>(std::floor(f));
        float t = f - i0;
        if (type == ResizeType::Bilinear) {
            taps.index.push_back(clampIndex(i0, inSize));
            taps.index.push_back(clampIndex(i0 + 1, inSize));
            taps.weight.push_back(1.f - t);
            taps.weight.push_back(t);
        } else {
            for (int k = -1; k <= 2; ++k) {
                taps.index.push_back(clampIndex(i0 + k, inSize));
                taps.weight.push_back(cubicWeight(t - k));
            }
        }
    }
    return taps;
}

void resizePlane(const float* src, int inW, int inH, float* dst, int outW, int outH, ResizeType type) {
    ResampleTaps tx = makeResampleTaps(inW, outW, type, false, static_cast<float>(inW) / outW);
    ResampleTaps ty = makeResampleTaps(inH, outH, type, false, static_cast<float>(inH) / outH);
    std::vector<float> rows(static_cast<size_t>(inH) * outW);
#pragma omp parallel for schedule(static)
    for (int y = 0; y < inH; ++y) {
        const float* s = src + static_cast<size_t>(y) * inW;
        float* r = rows.data() + static_cast<size_t>(y) * outW;
        for (int x = 0; x < outW; ++x) {
            float acc = 0.f;
            for (int k = 0; k < tx.taps; ++k) acc += tx.weight[x * tx.taps + k] * s[tx.index[x * tx.taps + k]];
            r[x] = acc;
        }
    }
#pragma omp parallel for schedule(static)
    for (int y = 0; y < outH; ++y) {
        float* d = dst + static_cast<size_t>(y) * outW;
        for (int x = 0; x < outW; ++x) d[x] = 0.f;
        for (int k = 0; k < ty.taps; ++k) {
            const float w = ty.weight[y * ty.taps + k];
            const float* r = rows.data() + static_cast<size_t>(ty.index[y * ty.taps + k]) * outW;
            for (int x = 0; x < outW; ++x) d[x] += w * r[x];
        }
    }
}

}  // namespace esrgan
