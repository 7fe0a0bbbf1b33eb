#pragma once
#include <cstdint>
#include <cstring>

#include "core/errors.h"
#include "vulkan/device.h"

namespace esrgan::vk {

// Push constants: a list of 32-bit ints and floats in declaration order.
struct Push {
    uint32_t words[Device::kPushBytes / 4] = {};
    uint32_t count = 0;
    Push& i(int64_t v) {
        if (v < INT32_MIN || v > INT32_MAX) throw InvalidArgument("the tile is too large for the Vulkan backend's 32-bit offsets; use a smaller tile (-t)");
        words[count++] = static_cast<uint32_t>(static_cast<int32_t>(v));
        return *this;
    }
    Push& f(float v) {
        std::memcpy(&words[count++], &v, 4);
        return *this;
    }
};

}  // namespace esrgan::vk
