#pragma once
// Helpers of the Vulkan native tests: a one-convolution model written to a temporary directory,
// a naive double-precision reference, and scoped environment settings (the Vulkan plans read their
// kernel choices from the environment when they are built).
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "graph/network.h"
#include "vulkan/device.h"

namespace esrgan::vktest {

// The first Vulkan device, or null (with the reason in `why`) when there is none.
std::shared_ptr<vk::Device> firstDevice(std::string& why);

#define MC_REQUIRE_VULKAN(device)                                            \
    std::string why_;                                                        \
    auto device = ::esrgan::vktest::firstDevice(why_);                       \
    if (!device) GTEST_SKIP() << "no Vulkan device: " << why_

// A 3x3 / stride 1 / pad 1 convolution with bias and LeakyReLU(0.1), random weights (fixed seed).
struct ConvModel {
    int inC = 0, outC = 0;
    std::vector<float> weights, bias;  // OIHW, [outC]
    std::unique_ptr<Network> net;
};
ConvModel makeConvModel(int inC, int outC, int w, int h, unsigned seed);

Tensor randomInput(int c, int h, int w, unsigned seed);

// Naive convolution in double: zero padding 1, bias, LeakyReLU(0.1).
std::vector<double> referenceConv(const ConvModel& m, const Tensor& in);

// Sets environment variables for its lifetime, restoring what was there.
class ScopedEnv {
public:
    explicit ScopedEnv(std::vector<std::pair<std::string, std::string>> settings);
    ~ScopedEnv();
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::vector<std::pair<std::string, std::pair<bool, std::string>>> saved_;
};

}  // namespace esrgan::vktest
