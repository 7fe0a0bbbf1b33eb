#pragma once
#include <cstdint>

#include "runner/options.h"
#include "vulkan/vk_network.h"

namespace esrgan::vk {

// Memory an automatic tile may use on `gpu`'s device: the explicit budget of `options` if set, else
// 3/4 of the device memory still available (VK_EXT_memory_budget), and on devices that share the
// host's memory (software, integrated) at most the host budget of the CPU path.
uint64_t tileMemoryBudget(VulkanNetwork& gpu, const UpscaleOptions& options);

// The automatic tile side (LR pixels) for a width x height image on `gpu`: the largest tile whose
// device buffers (blobs and staging, fp32 or fp16 as the network runs) fit `budgetBytes` and whose
// largest buffer fits the device's storage-buffer range; the whole image when it fits. With several
// devices sharing the image, small enough that each gets at least two tiles (down to 64 px).
int autoTileSize(const VulkanNetwork& gpu, int width, int height, const UpscaleOptions& options, uint64_t budgetBytes,
                 int deviceCount);

}  // namespace esrgan::vk
