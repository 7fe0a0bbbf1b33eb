#pragma once
#include <cstddef>
#include <cstdint>

namespace esrgan::vk {

// SPIR-V of cpp/vulkan/shaders/*.comp, compiled by glslc and embedded at build time
// (cmake/EmbedShaders.cmake generates the definitions).
struct EmbeddedShader {
    const char* name;  // file name without .comp
    const uint32_t* words;
    size_t wordCount;
};

const EmbeddedShader* findEmbeddedShader(const char* name);

}  // namespace esrgan::vk
