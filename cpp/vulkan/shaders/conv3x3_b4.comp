#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_ballot : require
#include "storage.glsl"
// conv3x3.comp with 4 blocks of 8 output channels per invocation (see conv3x3.glsl).
#define SUBGROUP_WEIGHTS 1
#define BLOCKS 4
#include "conv3x3.glsl"
