#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_16bit_storage : require
// The cooperative-matrix Winograd GEMM with emulated fragments (see wino_gemm_coop.glsl): 4 virtual
// subgroups of 32 invocations.
layout(local_size_x = 128) in;
#include "wino_gemm_coop.glsl"
