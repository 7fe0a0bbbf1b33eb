#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "storage.glsl"
// Winograd GEMM for devices without subgroup broadcasts (see wino_gemm.glsl).
#define SUBGROUP_WEIGHTS 0
#include "wino_gemm.glsl"
