#pragma once
// The CPU implementations of each op kind, one factory per kind (rows of cpu/op_table.cpp).
#include "cpu/cpu_op.h"

namespace esrgan::cpuops {

std::unique_ptr<CpuKernel> convolution(const Layer& layer, const CpuKernelContext& context);
std::unique_ptr<CpuKernel> deconvolution(const Layer& layer, const CpuKernelContext& context);
std::unique_ptr<CpuKernel> concat(const Layer& layer, const CpuKernelContext& context);
std::unique_ptr<CpuKernel> eltwise(const Layer& layer, const CpuKernelContext& context);
std::unique_ptr<CpuKernel> binaryOp(const Layer& layer, const CpuKernelContext& context);
std::unique_ptr<CpuKernel> prelu(const Layer& layer, const CpuKernelContext& context);
std::unique_ptr<CpuKernel> interp(const Layer& layer, const CpuKernelContext& context);
std::unique_ptr<CpuKernel> pixelShuffle(const Layer& layer, const CpuKernelContext& context);
std::unique_ptr<CpuKernel> reorg(const Layer& layer, const CpuKernelContext& context);

}  // namespace esrgan::cpuops
