#include "graph/weight_reader.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

#include "core/errors.h"

namespace esrgan {

namespace {
constexpr uint32_t kTagFp32 = 0x00000000;
constexpr uint32_t kTagFp32Scaled = 0x0002C056;
constexpr uint32_t kTagFp16 = 0x01306B47;
constexpr uint32_t kTagInt8 = 0x000D4B38;
constexpr uint32_t kTagBf16 = 0x01348B83;

size_t align4(size_t n) { return (n + 3) / 4 * 4; }

uint32_t readU32(const uint8_t* p) {
    return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
           static_cast<uint32_t>(p[3]) << 24;
}

std::string hex(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08X", v);
    return buf;
}
}  // namespace

float halfToFloat(uint16_t h) {
    uint32_t sign = (h >> 15) & 1u, exponent = (h >> 10) & 0x1Fu, mantissa = h & 0x3FFu;
    float value;
    if (exponent == 0) value = std::ldexp(static_cast<float>(mantissa), -24);  // zero or subnormal
    else if (exponent == 31) value = mantissa ? NAN : INFINITY;
    else value = std::ldexp(static_cast<float>(mantissa | 0x400u), static_cast<int>(exponent) - 25);
    return sign ? -value : value;
}

float bfloat16ToFloat(uint16_t h) {
    uint32_t bits = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

WeightReader::WeightReader(const std::string& path) : name_(path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw ModelError(path + ": cannot open the model's .bin file");
    bytes_.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

WeightReader::WeightReader(std::vector<uint8_t> bytes, std::string name) : bytes_(std::move(bytes)), name_(std::move(name)) {}

const uint8_t* WeightReader::take(size_t n, const std::string& what) {
    if (n > bytes_.size() - offset_)
        throw ModelError(name_ + ": truncated: " + what + " needs " + std::to_string(n) + " bytes at offset " +
                         std::to_string(offset_) + " but only " + std::to_string(bytes_.size() - offset_) +
                         " remain (does this .bin belong to the .param?)");
    const uint8_t* p = bytes_.data() + offset_;
    offset_ += n;
    return p;
}

std::vector<float> WeightReader::readUntagged(size_t count, const std::string& what) {
    const uint8_t* p = take(count * 4, what);
    std::vector<float> out(count);
    std::memcpy(out.data(), p, count * 4);
    return out;
}

std::vector<float> WeightReader::readTagged(size_t count, const std::string& what, bool* int8) {
    if (int8) *int8 = false;
    size_t tagOffset = offset_;
    uint32_t tag = readU32(take(4, what + " (type tag)"));
    std::vector<float> out(count);
    switch (tag) {
        case kTagFp32:
        case kTagFp32Scaled: {
            const uint8_t* p = take(count * 4, what);
            std::memcpy(out.data(), p, count * 4);
            break;
        }
        case kTagFp16:
        case kTagBf16: {
            const uint8_t* p = take(align4(count * 2), what);
            for (size_t i = 0; i < count; ++i) {
                uint16_t v = static_cast<uint16_t>(p[2 * i] | p[2 * i + 1] << 8);
                out[i] = tag == kTagFp16 ? halfToFloat(v) : bfloat16ToFloat(v);
            }
            break;
        }
        case kTagInt8: {
            if (!int8)
                throw ModelError(name_ + ": " + what + " is stored as int8 (tag 0x000D4B38 at offset " + std::to_string(tagOffset) +
                                 "), which this layer cannot dequantize");
            const uint8_t* p = take(align4(count), what);
            for (size_t i = 0; i < count; ++i) out[i] = static_cast<int8_t>(p[i]);
            *int8 = true;
            break;
        }
        default:
            throw ModelError(name_ + ": " + what + " has an unknown storage tag " + hex(tag) + " at offset " +
                             std::to_string(tagOffset) + " (expected fp32 0x00000000 or fp16 0x01306B47)");
    }
    for (size_t i = 0; i < count; ++i)
        if (!std::isfinite(out[i]))
            throw ModelError(name_ + ": " + what + " holds a non-finite value at element " + std::to_string(i));
    return out;
}

}  // namespace esrgan
