// Vulkan conv3x3 micro-benchmark: A/B of the output-channel blocks per invocation (conv3x3.glsl) in
// one process. Not built by default:
//   cmake --build <build> --target vk_conv_bench
//   <build>/cpp/vk_conv_bench <device> <size> <rounds> <blocksA> <blocksB> CASE...
// CASE is inC,outC (one 3x3 convolution with LeakyReLU on a size x size input, random weights) or a
// model path without .param/.bin (3-channel size x size input). Each side's network is built with
// MC_VK_CONV3X3_BLOCKS=<blocks> (0 = the automatic choice), which is read when a plan is built; the
// rounds alternate A and B and report wall and process CPU seconds per forward, the first forward
// (plan and pipeline creation included) and max |A - B| against max |A|.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
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

}  // namespace

int main(int argc, char** argv) {
    if (argc < 7) {
        std::fprintf(stderr, "usage: vk_conv_bench <device> <size> <rounds> <blocksA> <blocksB> inC,outC|MODEL...\n");
        return 2;
    }
    const int dev = std::atoi(argv[1]), size = std::atoi(argv[2]), rounds = std::atoi(argv[3]);
    const std::string blocks[2] = {argv[4], argv[5]};
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
            setenv("MC_VK_CONV3X3_BLOCKS", blocks[s].c_str(), 1);
            const double t0 = wallNow();
            nets.push_back(std::make_unique<vk::VulkanBackend>(*net, device, Precision::Fp32));
            openBackend(*nets.back(), *net);
            outs.push_back(nets.back()->forward(in, {}));
            first[s] = wallNow() - t0;
        }
        unsetenv("MC_VK_CONV3X3_BLOCKS");
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
