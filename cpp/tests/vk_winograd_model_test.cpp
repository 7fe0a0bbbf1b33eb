// Winograd on whole Real-ESRGAN graphs against the direct shader: realesrgan-x4plus (its dense
// blocks write convolution outputs into Concat channel ranges and read channel ranges back, so
// the transforms run at non-zero blob offsets) and realesr-animevideov3-x4. Uses the cached test
// models (scripts/fetch-test-assets.sh); skips, saying so, when they are not there.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "vk_test_support.h"
#include "backend/backend.h"
#include "vulkan/vulkan_backend.h"

namespace esrgan::vktest {
namespace {

std::string modelPath(const std::string& name) {
    const char* home = std::getenv("HOME");
    return std::string(home ? home : "") + "/.cache/model-compose/test-assets/models/" + name;
}

Tensor runWith(const Network& net, const std::shared_ptr<vk::Device>& device, const Tensor& in, const char* algorithm, const char* gemm) {
    ScopedEnv env({{"MC_VK_CONV3X3", algorithm}, {"MC_VK_WINO_GEMM", gemm}});
    vk::VulkanBackend gpu(net, device, Precision::Fp32);
    openBackend(gpu, net);
    return gpu.forward(in, {});
}

double maxDiff(const Tensor& a, const Tensor& b) {
    double d = 0;
    for (size_t i = 0; i < a.size(); ++i) d = std::max(d, static_cast<double>(std::fabs(a.data()[i] - b.data()[i])));
    return d;
}

class VkWinogradModel : public ::testing::TestWithParam<const char*> {};

TEST_P(VkWinogradModel, MatchesTheDirectShader) {
    MC_REQUIRE_VULKAN(device);
    const std::string base = modelPath(GetParam());
    if (!std::filesystem::exists(base + ".param") || !std::filesystem::exists(base + ".bin"))
        GTEST_SKIP() << base << ".param/.bin not cached (scripts/fetch-test-assets.sh fetches them)";
    auto net = Network::load(base + ".param", base + ".bin");
    const Tensor in = randomInput(3, 20, 24, 5);
    const Tensor direct = runWith(*net, device, in, "direct", "");
    ASSERT_EQ(direct.size(), static_cast<size_t>(3) * 20 * 24 * 16);
    for (const auto& [algorithm, gemm] : {std::pair{"wino23", "registers"}, std::pair{"wino43", "registers"}, std::pair{"wino43", "shared"}}) {
        const Tensor w = runWith(*net, device, in, algorithm, gemm);
        std::printf("%s 24x20 %s/%s: max |winograd - direct| %.2e\n", GetParam(), algorithm, gemm, maxDiff(direct, w));
        // fp32 Winograd rounding through the whole graph; a misplaced channel range is of order 1
        EXPECT_LE(maxDiff(direct, w), 1e-4) << GetParam() << " " << algorithm << " " << gemm;
    }
    if (device->fp16Storage()) {
        const Tensor w = runWith(*net, device, in, "wino23", "coopemu");
        std::printf("%s 24x20 wino23/coopemu: max |winograd - direct| %.2e\n", GetParam(), maxDiff(direct, w));
        EXPECT_LE(maxDiff(direct, w), 2e-2) << GetParam() << " wino23 coopemu (fp16 V and U)";
    }
}

INSTANTIATE_TEST_SUITE_P(RealModels, VkWinogradModel, ::testing::Values("realesrgan-x4plus", "realesr-animevideov3-x4"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                             std::string s = info.param;
                             std::replace(s.begin(), s.end(), '-', '_');
                             return s;
                         });

}  // namespace
}  // namespace esrgan::vktest
