#include "graph/param_dict.h"

#include <cerrno>
#include <cstdlib>
#include <stdexcept>

namespace esrgan {

namespace {

bool looksFloat(const std::string& text) {
    return text.find_first_of(".eE") != std::string::npos ||
           text.find("inf") != std::string::npos || text.find("nan") != std::string::npos;
}

void parseNumber(const std::string& text, bool& isFloat, float& f, int& i) {
    if (text.empty()) throw std::invalid_argument("empty value");
    char* end = nullptr;
    errno = 0;
    if (looksFloat(text)) {
        f = std::strtof(text.c_str(), &end);
        isFloat = true;
        i = static_cast<int>(f);
    } else {
        long v = std::strtol(text.c_str(), &end, 10);
        if (errno == ERANGE || v < INT32_MIN || v > INT32_MAX) throw std::invalid_argument("integer out of range: " + text);
        i = static_cast<int>(v);
        f = static_cast<float>(i);
        isFloat = false;
    }
    if (end == nullptr || *end != '\0') throw std::invalid_argument("not a number: '" + text + "'");
}

std::vector<std::string> splitComma(const std::string& text) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        size_t comma = text.find(',', start);
        parts.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return parts;
}

void fillArray(ParamValue& value, const std::vector<std::string>& items) {
    value.isArray = true;
    for (const auto& item : items) {
        bool isFloat;
        float f;
        int i;
        parseNumber(item, isFloat, f, i);
        value.isFloat = value.isFloat || isFloat;
        value.floats.push_back(f);
        value.ints.push_back(i);
    }
}

}  // namespace

int ParamDict::getInt(int id, int fallback) const {
    auto it = values_.find(id);
    if (it == values_.end()) return fallback;
    if (it->second.isArray) throw std::invalid_argument("param " + std::to_string(id) + " is an array, expected a number");
    return it->second.isFloat ? static_cast<int>(it->second.f) : it->second.i;
}

float ParamDict::getFloat(int id, float fallback) const {
    auto it = values_.find(id);
    if (it == values_.end()) return fallback;
    if (it->second.isArray) throw std::invalid_argument("param " + std::to_string(id) + " is an array, expected a number");
    return it->second.isFloat ? it->second.f : static_cast<float>(it->second.i);
}

std::vector<float> ParamDict::getFloats(int id) const {
    auto it = values_.find(id);
    if (it == values_.end()) return {};
    if (!it->second.isArray) return {getFloat(id, 0.f)};
    return it->second.floats;
}

std::vector<int> ParamDict::ids() const {
    std::vector<int> out;
    for (const auto& kv : values_) out.push_back(kv.first);
    return out;
}

void parseParamToken(const std::string& token, ParamDict& dict) {
    size_t eq = token.find('=');
    if (eq == std::string::npos || eq == 0) throw std::invalid_argument("expected key=value, got '" + token + "'");
    std::string keyText = token.substr(0, eq);
    std::string valueText = token.substr(eq + 1);
    char* end = nullptr;
    long key = std::strtol(keyText.c_str(), &end, 10);
    if (*end != '\0') throw std::invalid_argument("bad param key '" + keyText + "'");

    ParamValue value;
    if (key <= -23300) {
        // Array form: -(23300+id)=N,v1,...,vN
        std::vector<std::string> parts = splitComma(valueText);
        char* countEnd = nullptr;
        long count = std::strtol(parts[0].c_str(), &countEnd, 10);
        if (*countEnd != '\0' || count < 0) throw std::invalid_argument("bad array length in '" + token + "'");
        if (static_cast<size_t>(count) != parts.size() - 1)
            throw std::invalid_argument("array '" + token + "' declares " + std::to_string(count) + " elements but has " +
                                        std::to_string(parts.size() - 1));
        fillArray(value, std::vector<std::string>(parts.begin() + 1, parts.end()));
        key = -key - 23300;
    } else if (key < 0 || key >= 32) {
        throw std::invalid_argument("param id " + keyText + " is out of range 0..31");
    } else if (valueText.find(',') != std::string::npos) {
        fillArray(value, splitComma(valueText));  // newer ncnn: id=v1,v2 without the negative key
    } else {
        parseNumber(valueText, value.isFloat, value.f, value.i);
    }
    if (key >= 32) throw std::invalid_argument("array param id " + std::to_string(key) + " is out of range 0..31");
    dict.set(static_cast<int>(key), std::move(value));
}

}  // namespace esrgan
