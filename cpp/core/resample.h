#pragma once
#include <vector>

namespace esrgan {

enum class ResizeType { Nearest = 1, Bilinear = 2, Bicubic = 3 };

// Source taps of a 1-D resize: for output i, sum over k of weight[i*taps+k] * src[index[i*taps+k]].
// Half-pixel sampling (or align-corner), edge-clamped, no antialiasing: ncnn's Interp semantics.
struct ResampleTaps {
    int taps = 1;
    std::vector<int> index;
    std::vector<float> weight;
};

// `nearestStep` is the source step per output pixel used by nearest (ncnn uses 1/scale when a
// scale was given and in/out when a size was given).
ResampleTaps makeResampleTaps(int inSize, int outSize, ResizeType type, bool alignCorner, float nearestStep);

// Resizes one float plane (row-major) with separable taps.
void resizePlane(const float* src, int inW, int inH, float* dst, int outW, int outH, ResizeType type);

}  // namespace esrgan
