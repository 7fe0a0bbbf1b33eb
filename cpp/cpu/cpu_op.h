#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "graph/op_kind.h"
#include "runner/options.h"

namespace esrgan {

class Layer;
class CpuEngine;

// One layer, ready to run on the CPU (weights transformed, primitives cached).
class CpuKernel {
public:
    virtual ~CpuKernel() = default;
    // Writes the layer's output into `out`, a window of the plan's buffers (its pitch may exceed its
    // channels: a Concat output's channel range). Inputs are windows too and never overlap `out`.
    virtual void run(const std::vector<Tensor>& inputs, Tensor& out) const = 0;
};

// What a CPU kernel is built with, besides its layer.
struct CpuKernelContext {
    CpuEngine* engine = nullptr;          // oneDNN engine and stream of the backend
    Precision precision = Precision::Fp32;
    std::vector<int> concatCopies;        // Concat: the inputs it copies into place (ExecutionPlan)
};

// A row of the CPU op table (cpu/op_table.cpp).
struct CpuOp {
    // Why the CPU cannot run this layer (empty: it can); null when every layer of the kind runs.
    std::string (*unsupported)(const Layer& layer) = nullptr;
    // Null for the kinds the execution plan resolves without running anything (Input, Split).
    std::unique_ptr<CpuKernel> (*make)(const Layer& layer, const CpuKernelContext& context) = nullptr;
};

const CpuOp& cpuOp(OpKind kind);

}  // namespace esrgan
