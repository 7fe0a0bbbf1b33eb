#pragma once
#include <cstdint>
#include <cstring>

namespace esrgan::vk {

// IEEE binary16 <-> binary32 on the host, for fp16 storage buffers (round to nearest even, with
// subnormals, infinities and NaN), so uploads round exactly as the shaders' fp32 -> fp16 stores do.
inline uint16_t floatToHalf(float value) {
    uint32_t x;
    std::memcpy(&x, &value, 4);
    const uint32_t sign = (x >> 16) & 0x8000u, abs = x & 0x7fffffffu;
    if (abs >= 0x7f800000u) return static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));
    if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds past 65504
    auto round = [](uint32_t bits, uint32_t shift) {
        const uint32_t kept = bits >> shift, rest = bits & ((1u << shift) - 1), half = 1u << (shift - 1);
        return kept + (rest > half || (rest == half && (kept & 1u)) ? 1u : 0u);
    };
    if (abs >= 0x38800000u) return static_cast<uint16_t>(sign | round(abs - 0x38000000u, 13));  // normal: rebias 127 -> 15
    if (abs < 0x33000000u) return static_cast<uint16_t>(sign);                                  // under half the smallest subnormal
    const uint32_t exponent = abs >> 23, mantissa = (abs & 0x7fffffu) | 0x800000u;
    return static_cast<uint16_t>(sign | round(mantissa, 126 - exponent));  // subnormal: units of 2^-24
}

inline float halfToFloat(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16, exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
    uint32_t x;
    if (exponent == 0) {
        const float v = static_cast<float>(mantissa) * 5.9604644775390625e-8f;  // 2^-24
        return sign ? -v : v;
    }
    if (exponent == 31) x = sign | 0x7f800000u | (mantissa << 13);
    else x = sign | ((exponent + 112) << 23) | (mantissa << 13);
    float v;
    std::memcpy(&v, &x, 4);
    return v;
}

}  // namespace esrgan::vk
