#pragma once
#include <map>
#include <string>
#include <vector>

namespace esrgan {

// One `id=value` entry of a .param layer line. ncnn keeps ints and floats in one slot and
// the reader picks by the type the layer expects, so both views are kept and coerced.
struct ParamValue {
    bool isArray = false;
    bool isFloat = false;
    float f = 0.f;
    int i = 0;
    std::vector<float> floats;
    std::vector<int> ints;
};

class ParamDict {
public:
    void set(int id, ParamValue value) { values_[id] = std::move(value); }
    bool has(int id) const { return values_.count(id) != 0; }
    int getInt(int id, int fallback) const;
    float getFloat(int id, float fallback) const;
    std::vector<float> getFloats(int id) const;
    std::vector<int> ids() const;

private:
    std::map<int, ParamValue> values_;
};

// Parses one `key=value` token; throws std::invalid_argument with the reason.
void parseParamToken(const std::string& token, ParamDict& dict);

}  // namespace esrgan
