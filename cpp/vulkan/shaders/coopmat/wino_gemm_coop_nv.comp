#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
// The Winograd GEMM on VK_NV_cooperative_matrix, for drivers without the KHR extension (see
// wino_gemm_coop.glsl). Work group: 4 subgroups (local size x = 4 x the subgroup size,
// specialization constant 0).
layout(local_size_x_id = 0) in;
#define COOPMAT_NV 1
#include "../wino_gemm_coop.glsl"
