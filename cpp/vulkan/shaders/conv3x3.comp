#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_ballot : require
#include "storage.glsl"
// 3x3 / stride 1 convolution with the weights loaded once per subgroup of >= 8 lanes and broadcast:
// software rasterisers (lavapipe) otherwise gather every lane's copy of the same weight.
#define SUBGROUP_WEIGHTS 1
#include "conv3x3.glsl"
