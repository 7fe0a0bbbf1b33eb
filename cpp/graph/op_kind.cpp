#include "graph/op_kind.h"

namespace esrgan {

namespace {
constexpr const char* kNames[kOpKindCount] = {"Input",   "Split",    "Concat", "Convolution", "Deconvolution", "Eltwise",
                                              "BinaryOp", "Interp", "PReLU",  "PixelShuffle", "Reorg"};
}

const char* opKindName(OpKind kind) { return kNames[static_cast<size_t>(kind)]; }

std::optional<OpKind> opKindNamed(const std::string& ncnnType) {
    for (size_t k = 0; k < kOpKindCount; ++k)
        if (ncnnType == kNames[k]) return static_cast<OpKind>(k);
    return std::nullopt;
}

}  // namespace esrgan
