#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "storage.glsl"
// Winograd output transform (see wino_output.glsl).
#include "wino_output.glsl"
