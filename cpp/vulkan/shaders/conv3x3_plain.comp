#version 450
#extension GL_GOOGLE_include_directive : require
#include "storage.glsl"
// 3x3 / stride 1 convolution for devices without subgroup broadcasts (or subgroups under 8 lanes).
#define SUBGROUP_WEIGHTS 0
#include "conv3x3.glsl"
