#include <array>

#include "vulkan/ops/vk_ops.h"

namespace esrgan::vk {

namespace {
// Indexed by OpKind. Input and Split need no dispatch: the plan uploads the input into place and
// aliases Split outputs to their input.
const std::array<VkOp, kOpKindCount> kVkOps = {{
    /* Input         */ {nullptr, nullptr, nullptr, true},
    /* Split         */ {nullptr, nullptr, nullptr, true},
    /* Concat        */ {nullptr, nullptr, ops::concat, true},
    /* Convolution   */ {nullptr, ops::packConvolution, ops::convolution, true, ops::convolutionScratch},
    /* Deconvolution */ {nullptr, nullptr, nullptr, false},
    /* Eltwise       */ {nullptr, nullptr, ops::eltwise, true},
    /* BinaryOp      */ {nullptr, nullptr, ops::binaryOp, true},
    /* Interp        */ {nullptr, nullptr, ops::interp, true},
    /* PReLU         */ {nullptr, ops::packPrelu, ops::prelu, true},
    /* PixelShuffle  */ {nullptr, nullptr, ops::pixelShuffle, true},
    /* Reorg         */ {nullptr, nullptr, ops::reorg, true},
}};
}  // namespace

const VkOp& vkOp(OpKind kind) { return kVkOps[static_cast<size_t>(kind)]; }

}  // namespace esrgan::vk
