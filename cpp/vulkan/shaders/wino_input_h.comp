#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#extension GL_EXT_shader_16bit_storage : require
#include "storage.glsl"
// Winograd input transform into an fp16 V, the A operand of the cooperative-matrix GEMM (see
// wino_input.glsl).
#define VEC4_T f16vec4
#include "wino_input.glsl"
