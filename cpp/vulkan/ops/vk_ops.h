#pragma once
// The Vulkan implementation of each op kind (rows of vulkan/op_table.cpp).
#include "vulkan/vk_op.h"

namespace esrgan::vk::ops {

std::vector<float> packConvolution(const Layer& layer);
void convolution(StepContext& context);
ScratchBytes convolutionScratch(const Layer& layer, const Shape& input, const Shape& output, const Device& device);
std::vector<float> packPrelu(const Layer& layer);
void prelu(StepContext& context);
void eltwise(StepContext& context);
void binaryOp(StepContext& context);
void interp(StepContext& context);
void pixelShuffle(StepContext& context);
void reorg(StepContext& context);
void concat(StepContext& context);

}  // namespace esrgan::vk::ops
