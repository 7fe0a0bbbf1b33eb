#pragma once
#include "core/resample.h"
#include "runner/pixels.h"

namespace esrgan {

// The alpha channel of an image resized bicubically (Keys, A = -0.75) over the whole image, so tiles cannot
// leave seams in it, and computed a band of output rows at a time: each output row reads the horizontal pass of
// the few input rows under its taps, so the result does not depend on the bands and memory is set by a band.
class AlphaResizer {
public:
    AlphaResizer(const ImageView& img, int scale);
    // Writes the alpha of output rows [y0, y1).
    void rows(int y0, int y1, const RowAccess& out) const;

private:
    const ImageView& img_;
    int outW_, outH_;
    ResampleTaps tx_, ty_;
};

}  // namespace esrgan
