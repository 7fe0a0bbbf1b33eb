// What the device says about cooperative matrices (DeviceInfo::coopMatrix, for `devices` and the
// native check): printed, and consistent with what the runner enables and selects.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "vk_test_support.h"
#include "vulkan/conv3x3_winograd.h"

namespace esrgan::vktest {
namespace {

TEST(VkCoopMatrix, ReportedShapesAgreeWithTheKernelChoice) {
    MC_REQUIRE_VULKAN(device);
    const vk::CoopMatrixSupport& coop = device->info().coopMatrix;
    std::printf("%s: %s, %zu shapes%s%s\n", device->info().name.c_str(), coop.extension.empty() ? "no cooperative matrices" : coop.extension.c_str(),
                coop.shapes.size(), coop.usable ? "; tensor-core Winograd GEMM enabled" : "; not used: ", coop.usable ? "" : coop.why.c_str());
    for (const auto& s : coop.shapes) std::printf("  %s\n", s.text().c_str());

    if (coop.extension.empty()) {
        EXPECT_TRUE(coop.shapes.empty());
    }
    EXPECT_EQ(coop.usable, coop.why.empty());
    if (coop.usable) {
        bool found = false;
        for (const auto& s : coop.shapes)
            found |= s.m == 16 && s.n == 16 && s.k == 16 && s.a == "fp16" && s.b == "fp16" && s.c == "fp32" && s.result == "fp32" && s.scope == "subgroup";
        EXPECT_TRUE(found) << "usable without a 16x16x16 fp16 -> fp32 subgroup shape";
    }
    EXPECT_EQ(device->coopMatrix(), coop.usable && std::getenv("MC_VK_NO_COOPMAT") == nullptr);

    // The automatic choice for a 64->64 convolution follows: tensor cores with F(2,3) where enabled.
    ScopedEnv automatic({{"MC_VK_CONV3X3", ""}, {"MC_VK_WINO_GEMM", ""}});
    const vk::Conv3x3Choice choice = vk::chooseConv3x3(*device, 64, 64, 256, 256);
    if (device->coopMatrix()) {
        EXPECT_EQ(choice.gemm, vk::WinogradGemm::Cooperative);
        EXPECT_EQ(choice.algorithm, vk::Conv3x3Algorithm::Winograd23);
        EXPECT_EQ(choice.shape.nv, coop.nv());
    } else {
        EXPECT_NE(choice.gemm, vk::WinogradGemm::Cooperative);
        EXPECT_EQ(choice.algorithm, vk::Conv3x3Algorithm::Winograd43);
    }
}

TEST(VkCoopMatrix, ShapeText) {
    vk::CoopMatrixShape s;
    s.m = 16, s.n = 8, s.k = 16, s.a = "fp16", s.b = "fp16", s.c = "fp32", s.result = "fp32", s.scope = "subgroup";
    EXPECT_EQ(s.text(), "16x8x16 fp16*fp16+fp32->fp32 (subgroup)");
}

}  // namespace
}  // namespace esrgan::vktest
