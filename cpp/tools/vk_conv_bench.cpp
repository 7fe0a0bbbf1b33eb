// Vulkan conv3x3 micro-benchmark: A/B of two configurations of the 3x3 convolution in one process.
// Not built by default:
//   cmake --build <build> --target vk_conv_bench
//   <build>/cpp/vk_conv_bench <device> <size> <rounds> <A> <B> CASE...
// A and B are comma-separated settings NAME=VALUE of the environment variables that the plans read
// (MC_VK_CONV3X3=direct|wino23|wino43, MC_VK_WINO_GEMM=..., MC_VK_CONV3X3_BLOCKS=1|2|4), plus
// precision=fp16|fp32 (default fp32); a plain number N means MC_VK_CONV3X3_BLOCKS=N, "-" nothing.
// CASE is inC,outC (one 3x3 convolution with LeakyReLU on a size x size input, random weights) or a
// model path without .param/.bin (3-channel size x size input). The settings hold while each side's
// network is built and runs its first forward (plan and pipeline creation included); the rounds
// alternate A and B and report wall and process CPU seconds per forward, the first forward and
// max |A - B| against max |A|.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "graph/network.h"
#include "vulkan/runtime.h"
#include "vulkan/vulkan_backend.h"

using namespace esrgan;

namespace {

double cpuNow() {
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double wallNow() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Writes a one-convolution model (ncnn .param/.bin) and returns its path without the extension.
std::string writeConvModel(int inC, int outC, int size, std::mt19937& rng) {
    const std::string path = "/tmp/vk_conv_bench_" + std::to_string(inC) + "_" + std::to_string(outC);
    const size_t n = static_cast<size_t>(inC) * outC * 9;
    std::ofstream param(path + ".param");
    param << "7767517\n2 2\nInput data 0 1 data 0=" << size << " 1=" << size << " 2=" << inC << "\n";
    param << "Convolution conv 1 1 data out 0=" << outC << " 1=3 4=1 5=1 6=" << n << " 9=2 -23310=1,2.000000e-01\n";
    std::normal_distribution<float> normal(0.f, std::sqrt(2.f / (9.f * static_cast<float>(inC))));
    std::vector<float> data(1 + n + outC);  // fp32 tag 0, weights, bias
    data[0] = 0.f;
    for (size_t i = 1; i < data.size(); ++i) data[i] = normal(rng);
    std::ofstream(path + ".bin", std::ios::binary).write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size() * 4));
    return path;
}

std::vector<std::pair<std::string, std::string>> parseSettings(const std::string& spec) {
    std::vector<std::pair<std::string, std::string>> out;
    if (spec == "-" || spec.empty()) return out;
    size_t start = 0;
    while (start <= spec.size()) {
        const size_t end = std::min(spec.find(',', start), spec.size());
        const std::string item = spec.substr(start, end - start);
        const size_t eq = item.find('=');
        if (eq == std::string::npos) out.emplace_back("MC_VK_CONV3X3_BLOCKS", item);
        else out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
        start = end + 1;
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 7) {
        std::fprintf(stderr, "usage: vk_conv_bench <device> <size> <rounds> <A> <B> inC,outC|MODEL...\n"
                             "  A, B: NAME=VALUE,... (MC_VK_CONV3X3=direct|wino23|wino43, MC_VK_WINO_GEMM=..., precision=fp16)\n");
        return 2;
    }
    const int dev = std::atoi(argv[1]), size = std::atoi(argv[2]), rounds = std::atoi(argv[3]);
    const std::string blocks[2] = {argv[4], argv[5]};
    const std::vector<std::pair<std::string, std::string>> settings[2] = {parseSettings(argv[4]), parseSettings(argv[5])};
    std::mt19937 rng(1);
    auto device = vk::Runtime::get().device(dev);
    for (int a = 6; a < argc; ++a) {
        const std::string arg = argv[a];
        int inC = 3, outC = 0;
        std::string path = arg;
        if (std::sscanf(arg.c_str(), "%d,%d", &inC, &outC) == 2) path = writeConvModel(inC, outC, size, rng);
        auto net = Network::load(path + ".param", path + ".bin");
        Tensor in = Tensor::uninitialized(Shape{inC, size, size});
        std::normal_distribution<float> normal(0.f, 1.f);
        for (size_t i = 0; i < in.size(); ++i) in.data()[i] = normal(rng);

        std::vector<std::unique_ptr<vk::VulkanBackend>> nets;
        std::vector<Tensor> outs;
        double first[2], wall[2] = {0, 0}, cpu[2] = {0, 0};
        for (int s = 0; s < 2; ++s) {
            Precision precision = Precision::Fp32;
            for (const auto& [name, value] : settings[s]) {
                if (name == "precision") precision = value == "fp16" ? Precision::Fp16 : Precision::Fp32;
                else setenv(name.c_str(), value.c_str(), 1);
            }
            const double t0 = wallNow();
            nets.push_back(std::make_unique<vk::VulkanBackend>(*net, device, precision));
            openBackend(*nets.back(), *net);
            outs.push_back(nets.back()->forward(in, {}));
            first[s] = wallNow() - t0;
            for (const auto& kv : settings[s]) unsetenv(kv.first.c_str());
        }
        double diff = 0, ref = 0;
        for (size_t i = 0; i < outs[0].size(); ++i) {
            diff = std::max(diff, static_cast<double>(std::fabs(outs[0].data()[i] - outs[1].data()[i])));
            ref = std::max(ref, static_cast<double>(std::fabs(outs[0].data()[i])));
        }
        for (int r = 0; r < rounds; ++r)
            for (int k = 0; k < 2; ++k) {
                const int s = (r + k) % 2;  // ABBA...: neither side always runs first
                const double w0 = wallNow(), c0 = cpuNow();
                nets[s]->forward(in, {});
                wall[s] += wallNow() - w0;
                cpu[s] += cpuNow() - c0;
            }
        std::printf("%s %dx%d  %s: wall %.4f cpu %.4f | %s: wall %.4f cpu %.4f | B/A wall %.3f cpu %.3f | max diff %.2e of %.2e | first %.2f / %.2f s\n",
                    arg.c_str(), size, size, blocks[0].c_str(), wall[0] / rounds, cpu[0] / rounds, blocks[1].c_str(), wall[1] / rounds,
                    cpu[1] / rounds, wall[1] / wall[0], cpu[1] / cpu[0], diff, ref, first[0], first[1]);
        std::fflush(stdout);
    }
    return 0;
}
