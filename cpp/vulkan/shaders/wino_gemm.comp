#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "storage.glsl"
// The register-tiled Winograd GEMM (see wino_gemm.glsl).
#include "wino_gemm.glsl"
