#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#include "core/tensor.h"
#include "ops/convolution.h"

namespace esrgan {

// A dense channels-last (NHWC) fp32 memory descriptor, the layout of our tensors.
dnnl::memory::desc channelsLastDesc(const Shape& s);
// The fused activation of a (de)convolution as oneDNN post-ops.
dnnl::post_ops activationPostOps(const FusedActivation& activation);

}  // namespace esrgan
