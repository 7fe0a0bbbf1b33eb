#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace esrgan {

// Sequential reader of an ncnn .bin: tagged buffers (fp32, fp16, int8, codebook) and
// untagged fp32 buffers, in the order the layers ask for them.
class WeightReader {
public:
    explicit WeightReader(const std::string& path);
    WeightReader(std::vector<uint8_t> bytes, std::string name);

    // `what` names the buffer for error messages, e.g. "layer 'conv1' weights".
    // int8 buffers are returned as their raw integer values when `int8` is given (it is set to
    // true then), and rejected otherwise.
    std::vector<float> readTagged(size_t count, const std::string& what, bool* int8 = nullptr);
    std::vector<float> readUntagged(size_t count, const std::string& what);

    size_t consumed() const { return offset_; }
    size_t size() const { return bytes_.size(); }
    const std::string& name() const { return name_; }

private:
    const uint8_t* take(size_t n, const std::string& what);

    std::vector<uint8_t> bytes_;
    std::string name_;
    size_t offset_ = 0;
};

float halfToFloat(uint16_t h);
float bfloat16ToFloat(uint16_t h);

}  // namespace esrgan
