#pragma once
#include "core/tensor.h"

namespace esrgan {

// One of the 8 symmetries of the square: optional transpose, then optional flips.
struct Symmetry {
    bool transpose, flipX, flipY;
};

extern const Symmetry kSymmetries[8];

Tensor applySymmetry(const Tensor& t, const Symmetry& s);
Tensor undoSymmetry(const Tensor& t, const Symmetry& s);

}  // namespace esrgan
