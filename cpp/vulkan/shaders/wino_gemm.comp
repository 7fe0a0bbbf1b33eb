#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_ballot : require
#include "storage.glsl"
// Winograd GEMM with U loaded once per subgroup of >= 8 lanes and broadcast (see wino_gemm.glsl).
#define SUBGROUP_WEIGHTS 1
#include "wino_gemm.glsl"
