#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "vulkan/vk_common.h"

namespace esrgan::vk {

// Where a device's VkPipelineCache is kept between processes, and its file format.
//
// The file is <dir>/<vendor>-<device>-<driver version>-<pipelineCacheUUID>.bin, in
// MC_VK_PIPELINE_CACHE (a directory; "off" disables it), else $XDG_CACHE_HOME/model-compose/vulkan,
// else ~/.cache/model-compose/vulkan. Its content is a 32-byte header of ours (magic, payload size,
// FNV-1a hash of the payload) followed by vkGetPipelineCacheData's bytes; a file that is short,
// corrupt or made for another device or driver (the driver's own header is checked too) is ignored,
// and replaced at the next save. Saves write a temporary file and rename it over the old one, so a
// reader never sees half a file.
class PipelineCacheFile {
public:
    // Resolves the path for this device; empty() when disabled or no home directory is known.
    explicit PipelineCacheFile(const VkPhysicalDeviceProperties& props);

    bool empty() const { return path_.empty(); }
    const std::string& path() const { return path_; }

    // The driver data to seed vkCreatePipelineCache with, or nothing (with the reason in `why`).
    std::vector<uint8_t> load(std::string& why) const;
    // Writes the driver data atomically; returns false (with the reason) when it could not.
    bool save(const std::vector<uint8_t>& data, std::string& why) const;

    // The checks of load(), on bytes (tests).
    static bool valid(const std::vector<uint8_t>& file, const VkPhysicalDeviceProperties& props, std::string& why);
    static std::vector<uint8_t> wrap(const std::vector<uint8_t>& data);

private:
    VkPhysicalDeviceProperties props_{};
    std::string path_;
};

}  // namespace esrgan::vk
