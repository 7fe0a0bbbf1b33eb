#pragma once
#include <string>
#include <vector>

#include "graph/param_dict.h"

namespace esrgan {

struct LayerSpec {
    std::string type;
    std::string name;
    std::vector<std::string> bottoms;
    std::vector<std::string> tops;
    ParamDict params;
    int line = 0;  // 1-based line in the .param file, for error messages
};

struct ModelSpec {
    std::string paramPath;
    std::vector<LayerSpec> layers;
    int blobCount = 0;
};

// Reads an ncnn text .param; throws ModelError naming the file and line.
ModelSpec readParamFile(const std::string& path);
ModelSpec parseParamText(const std::string& text, const std::string& sourceName);

}  // namespace esrgan
