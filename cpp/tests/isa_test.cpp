#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "cpu/isa.h"

using namespace esrgan::cpu;

namespace {

const Isa kAll[] = {Isa::Baseline, Isa::Avx2, Isa::Avx512, Isa::Avx512Bf16, Isa::AmxBf16};

struct IsaEnvironment : ::testing::Test {
    void SetUp() override { unsetenv("MC_CPU_ISA"); forceIsa(""); }
    void TearDown() override { unsetenv("MC_CPU_ISA"); forceIsa(""); }
};

TEST_F(IsaEnvironment, LevelsAreCumulative) {
    std::printf("  detected: %s\n", isaName(detectedIsa()));
    EXPECT_TRUE(isaAvailable(Isa::Baseline));
    for (int i = 1; i < 5; ++i) {
        if (isaAvailable(kAll[i])) {
            EXPECT_TRUE(isaAvailable(kAll[i - 1])) << isaName(kAll[i]);
        }
    }
    EXPECT_TRUE(isaAvailable(detectedIsa()));
    EXPECT_EQ(activeIsa(), detectedIsa());
}

TEST_F(IsaEnvironment, NamesRoundTrip) {
    for (Isa isa : kAll) EXPECT_EQ(parseIsa(isaName(isa)), isa);
    EXPECT_EQ(parseIsa("auto"), detectedIsa());
    EXPECT_THROW(parseIsa("avx1024"), std::invalid_argument);
    EXPECT_THROW(forceIsa("AVX2"), std::invalid_argument);
}

TEST_F(IsaEnvironment, EnvironmentLowersButNeverRaises) {
    for (Isa isa : kAll) {
        setenv("MC_CPU_ISA", isaName(isa), 1);
        const Isa expected = static_cast<int>(isa) < static_cast<int>(detectedIsa()) ? isa : detectedIsa();
        EXPECT_EQ(activeIsa(), expected) << isaName(isa);
    }
    setenv("MC_CPU_ISA", "", 1);
    EXPECT_EQ(activeIsa(), detectedIsa());
    setenv("MC_CPU_ISA", "sse9", 1);
    try {
        activeIsa();
        ADD_FAILURE() << "a bad MC_CPU_ISA was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("MC_CPU_ISA"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("avx512_bf16"), std::string::npos) << e.what();
    }
}

TEST_F(IsaEnvironment, ForceTakesPrecedenceAndClears) {
    setenv("MC_CPU_ISA", "baseline", 1);
    forceIsa("avx2");
    const Isa expected = isaAvailable(Isa::Avx2) ? Isa::Avx2 : Isa::Baseline;
    EXPECT_EQ(activeIsa(), expected);
    forceIsa("");
    EXPECT_EQ(activeIsa(), Isa::Baseline);  // the environment again
    unsetenv("MC_CPU_ISA");
    forceIsa("amx_bf16");
    EXPECT_EQ(activeIsa(), detectedIsa());  // never above the CPU
}

}  // namespace
