#include "vk_test_support.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "vulkan/runtime.h"

namespace esrgan::vktest {

std::shared_ptr<vk::Device> firstDevice(std::string& why) {
    vk::Runtime& rt = vk::Runtime::get();
    if (!rt.available()) {
        why = rt.unavailableReason();
        return nullptr;
    }
    return rt.device(0);
}

ConvModel makeConvModel(int inC, int outC, int w, int h, unsigned seed) {
    ConvModel m;
    m.inC = inC;
    m.outC = outC;
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.f, std::sqrt(2.f / (9.f * static_cast<float>(inC))));
    m.weights.resize(static_cast<size_t>(outC) * inC * 9);
    m.bias.resize(outC);
    for (float& v : m.weights) v = normal(rng);
    for (float& v : m.bias) v = normal(rng);
    const auto dir = std::filesystem::temp_directory_path() / ("mc_vk_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string base = (dir / ("conv_" + std::to_string(inC) + "_" + std::to_string(outC) + "_" + std::to_string(seed))).string();
    {
        std::ofstream param(base + ".param");
        param << "7767517\n2 2\nInput data 0 1 data 0=" << w << " 1=" << h << " 2=" << inC << "\n";
        param << "Convolution conv 1 1 data out 0=" << outC << " 1=3 4=1 5=1 6=" << m.weights.size()
              << " 9=2 -23310=1,1.000000e-01\n";
    }
    {
        std::ofstream bin(base + ".bin", std::ios::binary);
        const float tag = 0.f;  // fp32 weights
        bin.write(reinterpret_cast<const char*>(&tag), 4);
        bin.write(reinterpret_cast<const char*>(m.weights.data()), static_cast<std::streamsize>(m.weights.size() * 4));
        bin.write(reinterpret_cast<const char*>(m.bias.data()), static_cast<std::streamsize>(m.bias.size() * 4));
    }
    m.net = Network::load(base + ".param", base + ".bin");
    std::filesystem::remove(base + ".param");
    std::filesystem::remove(base + ".bin");
    return m;
}

Tensor randomInput(int c, int h, int w, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.f, 1.f);
    Tensor t = Tensor::uninitialized(Shape{c, h, w});
    for (size_t i = 0; i < t.size(); ++i) t.data()[i] = normal(rng);
    return t;
}

std::vector<double> referenceConv(const ConvModel& m, const Tensor& in) {
    const int h = in.h(), w = in.w();
    std::vector<double> out(static_cast<size_t>(m.outC) * h * w);
    for (int k = 0; k < m.outC; ++k)
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                double s = m.bias[k];
                for (int c = 0; c < m.inC; ++c)
                    for (int ky = 0; ky < 3; ++ky)
                        for (int kx = 0; kx < 3; ++kx) {
                            const int iy = y + ky - 1, ix = x + kx - 1;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            s += static_cast<double>(m.weights[((static_cast<size_t>(k) * m.inC + c) * 3 + ky) * 3 + kx]) * in.at(c, iy, ix);
                        }
                out[(static_cast<size_t>(k) * h + y) * w + x] = s > 0 ? s : 0.1 * s;
            }
    return out;
}

ScopedEnv::ScopedEnv(std::vector<std::pair<std::string, std::string>> settings) {
    for (auto& [name, value] : settings) {
        const char* old = std::getenv(name.c_str());
        saved_.push_back({name, {old != nullptr, old ? old : ""}});
        setenv(name.c_str(), value.c_str(), 1);
    }
}

ScopedEnv::~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
        if (it->second.first) setenv(it->first.c_str(), it->second.second.c_str(), 1);
        else unsetenv(it->first.c_str());
    }
}

}  // namespace esrgan::vktest
