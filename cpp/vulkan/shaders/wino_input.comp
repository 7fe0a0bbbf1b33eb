#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "storage.glsl"
// Winograd input transform into an fp32 V (see wino_input.glsl).
#define VEC4_T vec4
#include "wino_input.glsl"
