// Every conv3x3 kernel path (ISA level x precision x variant) against a double-precision direct
// convolution, on channel counts that fill, pad and split the 16-lane groups and GEMM panels,
// sizes with partial Winograd tiles on every edge (1x1, 5x3, 37x29), and pitched views on both
// sides (the channels between are NaN on input and must stay untouched on output).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <cstdio>
#include <map>
#include <random>
#include <string>

#include "cpu/conv3x3.h"
#include "cpu/isa.h"
#include "cpu/onednn_conv3x3.h"
#include "tests/conv_reference.h"

using namespace esrgan::cpu;
using esrgan::testing::compareConv;
using esrgan::testing::ConvCase;
using esrgan::testing::randomActivations;
using esrgan::testing::referenceConv3x3;
using esrgan::testing::withPrelu;

namespace {

struct Channels {
    int in, out;
};
struct Size {
    int h, w;
};

const Channels kChannels[] = {{16, 16}, {64, 32}, {192, 64}, {20, 3}, {37, 45}, {3, 8}};
const Size kSizes[] = {{1, 1}, {5, 3}, {37, 29}, {16, 16}};

// Error bounds, relative to the reference's largest value (max) and its rms (rms). The Winograd
// transforms multiply rounding errors by their coefficients' growth: measured here, F(4,3) fp32
// has 2.6e-6 rms-relative error, about 40x the fp32 unit roundoff 2^-24 = 6e-8 (F(2,3): 7x,
// F(6,3): 80x). The fp32 bounds leave 4x over the worst case measured. bf16 rounds both GEMM
// operands to 8 significant bits (unit roundoff 2^-9 = 2e-3), so the same growth gives ~5e-2
// rms-relative (measured 4.6e-2 for F(4,3) and F(6,3), against ~3e-3 for a direct bf16
// convolution); a layout or transform bug gives errors of order 1, far above these bounds.
struct Bound {
    double maxRel, rmsRel;
};
Bound boundFor(const std::string& variant) {
    const bool bf16 = variant.find("bf16") != std::string::npos;
    const bool f6 = variant.rfind("wino6", 0) == 0, f2 = variant.rfind("wino2", 0) == 0;
    if (bf16) return Bound{0.3, 0.1};
    return f6 ? Bound{6e-5, 2e-5} : f2 ? Bound{3e-6, 2e-6} : Bound{4e-5, 1e-5};
}

void checkLevel(Isa isa, Precision precision) {
    if (!isaAvailable(isa)) GTEST_SKIP() << "this CPU lacks " << isaName(isa) << ": its kernels are not run";
    if (effectivePrecision(isa, precision) != precision)
        GTEST_SKIP() << isaName(isa) << " has no " << precisionName(precision) << " arithmetic";
    std::mt19937 rng(20261204);
    std::map<std::string, double> worstMax, worstRms;
    for (Channels ch : kChannels) {
        ConvCase conv(ch.in, ch.out, rng);
        std::vector<Conv3x3Variant> variants = allConv3x3(isa, precision, ch.in, ch.out, conv.weights.data(), conv.bias.data());
        for (Size size : kSizes)
            for (int pitched = 0; pitched < 2; ++pitched) {
                const int inPitch = ch.in + (pitched ? 13 : 0), outPitch = ch.out + (pitched ? 7 : 0);
                const bool leaky = (size.h + pitched) % 2 == 1;
                std::vector<float> in = randomActivations(size.h, size.w, ch.in, inPitch, NAN, rng);
                std::vector<double> ref = referenceConv3x3(conv, in.data(), inPitch, size.h, size.w, leaky, 0.2f);
                // Every third case fuses a PReLU with one slope per output channel instead.
                const bool prelu = (size.w + ch.out + pitched) % 3 == 0;
                std::vector<float> slopes(ch.out);
                for (float& s : slopes) s = std::uniform_real_distribution<float>(-0.5f, 0.5f)(rng);
                if (prelu) ref = withPrelu(referenceConv3x3(conv, in.data(), inPitch, size.h, size.w, false, 0.f), ch.out, slopes);
                for (const Conv3x3Variant& v : variants) {
                    if (v.isa != isa || v.precision != precision) continue;  // lower levels have their own test
                    const float sentinel = -12345.f;
                    std::vector<float> out(static_cast<size_t>(size.h) * size.w * outPitch, sentinel);
                    if (prelu) v.kernel->runPrelu(in.data(), inPitch, size.h, size.w, out.data(), outPitch, slopes.data());
                    else v.kernel->run(in.data(), inPitch, size.h, size.w, out.data(), outPitch, leaky, 0.2f);
                    SCOPED_TRACE(v.name + " " + std::to_string(ch.in) + "->" + std::to_string(ch.out) + " " + std::to_string(size.h) +
                                 "x" + std::to_string(size.w) + (pitched ? " pitched" : " dense") + (prelu ? " prelu" : leaky ? " leaky" : ""));
                    const auto e = compareConv(out.data(), outPitch, ref, ch.out);
                    const Bound b = boundFor(v.name);
                    EXPECT_LE(e.maxRel, b.maxRel);
                    EXPECT_LE(e.rmsRel, b.rmsRel);
                    worstMax[v.name] = std::fmax(worstMax[v.name], e.maxRel);
                    worstRms[v.name] = std::fmax(worstRms[v.name], e.rmsRel);
                    size_t touched = 0;
                    for (size_t p = 0; p < static_cast<size_t>(size.h) * size.w; ++p)
                        for (int k = ch.out; k < outPitch; ++k) touched += out[p * outPitch + k] != sentinel;
                    EXPECT_EQ(touched, 0u) << "channels past outC were written";
                }
            }
    }
    ASSERT_FALSE(worstMax.empty()) << "no kernel of ours runs at " << isaName(isa) << " " << precisionName(precision);
    for (const auto& [name, maxRel] : worstMax)
        std::printf("  ran %-20s worst max-rel %.2e, rms-rel %.2e\n", name.c_str(), maxRel, worstRms[name]);
}

TEST(Conv3x3Kernels, Avx2Fp32) { checkLevel(Isa::Avx2, Precision::Fp32); }
TEST(Conv3x3Kernels, Avx512Fp32) { checkLevel(Isa::Avx512, Precision::Fp32); }
TEST(Conv3x3Kernels, Avx512Bf16) { checkLevel(Isa::Avx512Bf16, Precision::Bf16); }

TEST(Conv3x3Kernels, AmxBf16ChoosesOneDnn) {
    if (!isaAvailable(Isa::AmxBf16)) GTEST_SKIP() << "this CPU lacks amx_bf16: nothing of ours would run there";
    std::mt19937 rng(1);
    ConvCase conv(64, 32, rng);
    EXPECT_EQ(makeConv3x3(Isa::AmxBf16, Precision::Bf16, 64, 32, conv.weights.data(), conv.bias.data()), nullptr);
}

// The chosen kernel for each available level runs at that level's ISA (fp32 Winograd also for
// bf16 requests without AMX: it is faster than any bf16 path there and exact), and levels or
// channel counts where oneDNN wins get none.
TEST(Conv3x3Kernels, MakeConv3x3ChoosesPerLevel) {
    std::mt19937 rng(2);
    ConvCase wide(64, 32, rng), narrow(3, 64, rng);
    for (Isa isa : {Isa::Baseline, Isa::Avx2, Isa::Avx512, Isa::Avx512Bf16, Isa::AmxBf16}) {
        if (!isaAvailable(isa)) {
            EXPECT_THROW(makeConv3x3(isa, Precision::Fp32, 64, 32, wide.weights.data(), wide.bias.data()), std::invalid_argument);
            continue;
        }
        for (Precision p : {Precision::Fp32, Precision::Bf16}) {
            SCOPED_TRACE(std::string(isaName(isa)) + " " + precisionName(p));
            auto k = makeConv3x3(isa, p, 64, 32, wide.weights.data(), wide.bias.data());
            if (isa == Isa::Baseline || (isa == Isa::AmxBf16 && p == Precision::Bf16)) {
                EXPECT_EQ(k, nullptr);
                continue;
            }
            ASSERT_NE(k, nullptr);
            const std::string d = k->describe();
            const std::string level = isa == Isa::Avx2 ? "avx2 fp32" : "avx512 fp32";
            EXPECT_NE(d.find(level), std::string::npos) << d;
            std::printf("  %-12s %-5s 64->32: %s\n", isaName(isa), precisionName(p), d.c_str());
            EXPECT_EQ(makeConv3x3(isa, p, 3, 64, narrow.weights.data(), narrow.bias.data()), nullptr);
        }
    }
}

// A dense block's layer reads channels [0, 64) of the concat buffer and writes channels
// [64, 96) of the same buffer: the result must not depend on reading what it writes.
TEST(Conv3x3Kernels, WritesIntoTheBufferItReads) {
    std::mt19937 rng(3);
    const int h = 23, w = 31, pitch = 192;
    ConvCase conv(64, 32, rng);
    std::vector<float> buffer = randomActivations(h, w, 64, pitch, 7.f, rng);
    const std::vector<double> ref = referenceConv3x3(conv, buffer.data(), pitch, h, w, true, 0.2f);
    for (Isa isa : {Isa::Avx2, Isa::Avx512}) {
        if (!isaAvailable(isa)) continue;
        auto k = makeConv3x3(isa, Precision::Fp32, 64, 32, conv.weights.data(), conv.bias.data());
        ASSERT_NE(k, nullptr);
        std::vector<float> b = buffer;
        k->run(b.data(), pitch, h, w, b.data() + 64, pitch, true, 0.2f);
        EXPECT_LE(compareConv(b.data() + 64, pitch, ref, 32).maxRel, 4e-5) << k->describe();
        for (size_t p = 0; p < static_cast<size_t>(h) * w; ++p) {
            ASSERT_EQ(std::memcmp(&b[p * pitch], &buffer[p * pitch], 64 * sizeof(float)), 0) << "input channels changed";
            for (int c = 96; c < pitch; ++c) ASSERT_EQ(b[p * pitch + c], 7.f) << "channels past the range written";
        }
    }
}

// The oneDNN wrapper (the reference and the fallback) on pitched views: fp32 to fp32 rounding,
// bf16 (operands rounded to 8 significant bits, fp32 sums: ~2e-3 rms-relative measured) where
// the CPU has bf16 arithmetic.
TEST(OneDnnConv3x3, PitchedViewsMatchTheReference) {
    std::mt19937 rng(4);
    for (OneDnnMode mode : {OneDnnMode::Fp32, OneDnnMode::Bf16, OneDnnMode::Fp32MathBf16}) {
        if (mode != OneDnnMode::Fp32 && !isaAvailable(Isa::Avx512Bf16)) {
            std::printf("  skipped oneDNN %s: this CPU lacks avx512_bf16\n", oneDnnModeName(mode));
            continue;
        }
        for (Channels ch : {Channels{64, 32}, Channels{20, 3}}) {
            ConvCase conv(ch.in, ch.out, rng);
            auto k = makeOneDnnConv3x3(mode, ch.in, ch.out, conv.weights.data(), conv.bias.data());
            const int h = 9, w = 14, inPitch = ch.in + 5, outPitch = ch.out + 3;
            std::vector<float> in = randomActivations(h, w, ch.in, inPitch, NAN, rng);
            const std::vector<double> ref = referenceConv3x3(conv, in.data(), inPitch, h, w, true, 0.2f);
            std::vector<float> out(static_cast<size_t>(h) * w * outPitch, -1.f);
            k->run(in.data(), inPitch, h, w, out.data(), outPitch, true, 0.2f);
            const auto e = compareConv(out.data(), outPitch, ref, ch.out);
            std::vector<float> slopes(ch.out), outPrelu(out.size(), -1.f);
            for (size_t i = 0; i < slopes.size(); ++i) slopes[i] = 0.05f * static_cast<float>(i % 7) - 0.1f;
            k->runPrelu(in.data(), inPitch, h, w, outPrelu.data(), outPitch, slopes.data());
            const auto ePrelu = compareConv(outPrelu.data(), outPitch,
                                            withPrelu(referenceConv3x3(conv, in.data(), inPitch, h, w, false, 0.f), ch.out, slopes), ch.out);
            const bool bf16 = mode == OneDnnMode::Bf16;
            EXPECT_LE(e.rmsRel, bf16 ? 1e-2 : 1e-5) << k->describe();
            EXPECT_LE(ePrelu.rmsRel, bf16 ? 1e-2 : 1e-5) << k->describe() << " prelu";
            for (size_t p = 0; p < static_cast<size_t>(h) * w; ++p)
                for (int c = ch.out; c < outPitch; ++c) {
                    ASSERT_EQ(out[p * outPitch + c], -1.f) << k->describe();
                    ASSERT_EQ(outPrelu[p * outPitch + c], -1.f) << k->describe();
                }
            std::printf("  ran %-45s %d->%d rms-rel %.1e\n", k->describe().c_str(), ch.in, ch.out, e.rmsRel);
        }
    }
}

}  // namespace
