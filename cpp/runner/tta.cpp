#include "runner/tta.h"

#include <cstring>

namespace esrgan {

const Symmetry kSymmetries[8] = {
    {false, false, false}, {false, true, false}, {false, true, true}, {false, false, true},
    {true, false, false},  {true, false, true},  {true, true, true},  {true, true, false},
};

namespace {

Tensor flip(const Tensor& t, bool flipX, bool flipY) {
    if (!flipX && !flipY) return t;
    Tensor out = Tensor::uninitialized(t.shape());
    const int h = t.h(), w = t.w();
#pragma omp parallel for schedule(static)
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            std::memcpy(out.pixel(y, x), t.pixel(flipY ? h - 1 - y : y, flipX ? w - 1 - x : x), t.c() * sizeof(float));
    return out;
}

Tensor transpose(const Tensor& t) {
    Tensor out = Tensor::uninitialized(Shape{t.c(), t.w(), t.h()});
#pragma omp parallel for schedule(static)
    for (int y = 0; y < out.h(); ++y)
        for (int x = 0; x < out.w(); ++x) std::memcpy(out.pixel(y, x), t.pixel(x, y), t.c() * sizeof(float));
    return out;
}

}  // namespace

Tensor applySymmetry(const Tensor& t, const Symmetry& s) { return flip(s.transpose ? transpose(t) : t, s.flipX, s.flipY); }

Tensor undoSymmetry(const Tensor& t, const Symmetry& s) {
    Tensor unflipped = flip(t, s.flipX, s.flipY);
    return s.transpose ? transpose(unflipped) : unflipped;
}

}  // namespace esrgan
