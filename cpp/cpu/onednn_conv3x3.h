#pragma once
#include <memory>

#include "cpu/conv3x3.h"

namespace esrgan::cpu {

// oneDNN's direct 3x3 convolution behind the Conv3x3Kernel interface: the reference our kernels
// are measured against, and the path for shapes and levels where makeConv3x3 returns null.
// How the primitive is made (cpu/onednn_conv3x3.cpp, OneDnnConv3x3::primitiveFor):
//   forward_inference, convolution_direct, padding {1,1}/{1,1}, strides {1,1}, no dilation;
//   src/dst: {1, C, h, w} with strides {h*w*pitch, 1, w*pitch, pitch} (NHWC with a pixel pitch);
//   weights: format_tag::any, reordered once from OIHW; bias: f32 {outC};
//   post-op eltwise_relu(alpha = LeakyReLU slope) when there is an activation, or for runPrelu
//   prelu(mask 1 << 1) with the slopes passed as DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_WEIGHTS.
enum class OneDnnMode {
    Fp32,         // f32 src/weights/dst
    Bf16,         // bf16 src and weights (the f32 input is converted on the way in), f32 dst,
                  // f32 accumulation: on AMX CPUs this runs on the tiles
    Fp32MathBf16  // f32 memory with primitive_attr::set_fpmath_mode(bf16): oneDNN may convert
                  // internally (AMX) or stay f32 (elsewhere)
};

const char* oneDnnModeName(OneDnnMode mode);

// One engine and stream per kernel; primitives are cached per (h, w, inPitch, outPitch).
std::unique_ptr<Conv3x3Kernel> makeOneDnnConv3x3(OneDnnMode mode, int inC, int outC, const float* weightsOIHW, const float* bias);

}  // namespace esrgan::cpu
