#include "graph/param_reader.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/errors.h"

namespace esrgan {

namespace {

constexpr int kMagic = 7767517;

// A token as it may appear in a message: printable ASCII only, at most 32 characters.
std::string printable(const std::string& token) {
    std::string out;
    for (unsigned char ch : token.substr(0, 32)) {
        if (ch >= 0x20 && ch < 0x7F) {
            out += static_cast<char>(ch);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02X", ch);
            out += hex;
        }
    }
    return token.size() > 32 ? out + "..." : out;
}

std::vector<std::string> tokens(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    std::string t;
    while (in >> t) out.push_back(t);
    return out;
}

int parseCount(const std::string& text, const std::string& where, const std::string& what) {
    try {
        size_t used = 0;
        int v = std::stoi(text, &used);
        if (used != text.size() || v < 0) throw std::invalid_argument(text);
        return v;
    } catch (const std::exception&) {
        throw ModelError(where + ": " + what + " '" + text + "' is not a non-negative integer");
    }
}

}  // namespace

ModelSpec parseParamText(const std::string& text, const std::string& sourceName) {
    ModelSpec spec;
    spec.paramPath = sourceName;
    std::istringstream in(text);
    std::string line;
    int lineNo = 0;
    auto where = [&](int n) { return sourceName + ":" + std::to_string(n); };

    auto nextContentLine = [&](std::vector<std::string>& out) -> bool {
        while (std::getline(in, line)) {
            ++lineNo;
            out = tokens(line);
            if (!out.empty()) return true;
        }
        return false;
    };

    std::vector<std::string> t;
    if (!nextContentLine(t) || t.size() != 1 || t[0] != std::to_string(kMagic))
        throw ModelError(sourceName + ": not an ncnn .param file (the first line must be the magic number 7767517"
                         + (t.empty() ? std::string(")") : ", found '" + printable(t[0]) + "')"));
    if (!nextContentLine(t) || t.size() != 2)
        throw ModelError(where(lineNo) + ": expected '<layer_count> <blob_count>'");
    int layerCount = parseCount(t[0], where(lineNo), "layer count");
    spec.blobCount = parseCount(t[1], where(lineNo), "blob count");

    for (int i = 0; i < layerCount; ++i) {
        if (!nextContentLine(t))
            throw ModelError(sourceName + ": the header declares " + std::to_string(layerCount) +
                             " layers but the file ends after " + std::to_string(i));
        if (t.size() < 4) throw ModelError(where(lineNo) + ": a layer line needs '<type> <name> <inputs> <outputs> ...'");
        LayerSpec layer;
        layer.line = lineNo;
        layer.type = t[0];
        layer.name = t[1];
        int nIn = parseCount(t[2], where(lineNo), "input count");
        int nOut = parseCount(t[3], where(lineNo), "output count");
        if (t.size() < static_cast<size_t>(4 + nIn + nOut))
            throw ModelError(where(lineNo) + ": layer '" + layer.name + "' lists fewer blob names than its counts say");
        layer.bottoms.assign(t.begin() + 4, t.begin() + 4 + nIn);
        layer.tops.assign(t.begin() + 4 + nIn, t.begin() + 4 + nIn + nOut);
        for (size_t k = 4 + nIn + nOut; k < t.size(); ++k) {
            try {
                parseParamToken(t[k], layer.params);
            } catch (const std::invalid_argument& e) {
                throw ModelError(where(lineNo) + ": layer '" + layer.name + "': " + e.what());
            }
        }
        spec.layers.push_back(std::move(layer));
    }
    if (nextContentLine(t))
        throw ModelError(where(lineNo) + ": unexpected text after the " + std::to_string(layerCount) + " declared layers");
    return spec;
}

ModelSpec readParamFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw ModelError(path + ": cannot open the model's .param file");
    std::stringstream buffer;
    buffer << f.rdbuf();
    return parseParamText(buffer.str(), path);
}

}  // namespace esrgan
