#include <array>

#include "cpu/ops/cpu_ops.h"

namespace esrgan {

namespace {
// Indexed by OpKind. Input and Split have no kernel: the execution plan places the input and aliases
// Split outputs to their input.
const std::array<CpuOp, kOpKindCount> kCpuOps = {{
    /* Input         */ {nullptr, nullptr},
    /* Split         */ {nullptr, nullptr},
    /* Concat        */ {nullptr, cpuops::concat},
    /* Convolution   */ {nullptr, cpuops::convolution},
    /* Deconvolution */ {nullptr, cpuops::deconvolution},
    /* Eltwise       */ {nullptr, cpuops::eltwise},
    /* BinaryOp      */ {nullptr, cpuops::binaryOp},
    /* Interp        */ {nullptr, cpuops::interp},
    /* PReLU         */ {nullptr, cpuops::prelu},
    /* PixelShuffle  */ {nullptr, cpuops::pixelShuffle},
    /* Reorg         */ {nullptr, cpuops::reorg},
}};
}  // namespace

const CpuOp& cpuOp(OpKind kind) { return kCpuOps[static_cast<size_t>(kind)]; }

}  // namespace esrgan
