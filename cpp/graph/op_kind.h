#pragma once
#include <cstddef>
#include <optional>
#include <string>

namespace esrgan {

// Every layer type the runner knows. Backends map each kind to their implementation in a table
// indexed by this enum (cpu/op_table.cpp, vulkan/op_table.cpp), so adding an op adds one row to
// each table; a kind a backend has no row for is reported when a model is loaded onto it.
enum class OpKind : unsigned char {
    Input,
    Split,
    Concat,
    Convolution,
    Deconvolution,
    Eltwise,
    BinaryOp,
    Interp,
    PReLU,
    PixelShuffle,
    Reorg,
};
constexpr size_t kOpKindCount = static_cast<size_t>(OpKind::Reorg) + 1;

// The ncnn type name, as in .param files.
const char* opKindName(OpKind kind);
std::optional<OpKind> opKindNamed(const std::string& ncnnType);

}  // namespace esrgan
