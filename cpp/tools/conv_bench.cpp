// Convolution micro-benchmark and accuracy check: oneDNN direct convolution (ConvolutionLayer with
// MC_CONV=onednn) against Winograd F(4,3) / F(2,3) (cpu/winograd3x3.h) on the 3x3 shapes of
// realesrgan-x4plus, plus the layer's default ("auto") path. Not built by default:
//   cmake --build <build> --target conv_bench && <build>/cpp/conv_bench [size] [rounds] [threads] [inC,outC]
// Accuracy: random weights (Kaiming scale) and LeakyReLU(N(0,1)) inputs against a double-precision
// direct convolution; "rel" = max |y - ref| / max |ref|, "rms" = rms(y - ref) / rms(ref).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "core/threads.h"
#include "cpu/cpu_engine.h"
#include "cpu/ops/cpu_ops.h"
#include "cpu/winograd3x3.h"
#include "graph/param_dict.h"
#include "graph/param_reader.h"
#include "graph/weight_reader.h"
#include "ops/convolution.h"

using namespace esrgan;

namespace {

struct Case {
    int inC, outC;
    bool leaky;
};

struct Conv {
    std::vector<float> weights, bias;
    std::unique_ptr<ConvolutionLayer> layer;
};

Conv makeConv(const Case& c, std::mt19937& rng) {
    Conv conv;
    const size_t n = static_cast<size_t>(c.outC) * c.inC * 9;
    std::normal_distribution<float> normal(0.f, std::sqrt(2.f / (9.f * c.inC)));
    std::normal_distribution<float> small(0.f, 0.1f);
    conv.weights.resize(n);
    conv.bias.resize(c.outC);
    for (float& w : conv.weights) w = normal(rng);
    for (float& b : conv.bias) b = small(rng);

    LayerSpec spec;
    spec.type = "Convolution";
    spec.name = "conv" + std::to_string(c.inC) + "x" + std::to_string(c.outC);
    for (std::string token : {"0=" + std::to_string(c.outC), std::string("1=3"), std::string("4=1"), std::string("5=1"),
                              "6=" + std::to_string(n), std::string(c.leaky ? "9=2" : "9=0"), std::string("-23310=1,2.000000e-01")})
        parseParamToken(token, spec.params);
    conv.layer = std::make_unique<ConvolutionLayer>(spec);

    std::vector<uint8_t> bytes(4 + 4 * n + 4 * c.outC, 0);  // fp32 tag 0, weights, bias
    std::memcpy(bytes.data() + 4, conv.weights.data(), 4 * n);
    std::memcpy(bytes.data() + 4 + 4 * n, conv.bias.data(), 4 * c.outC);
    WeightReader reader(std::move(bytes), "bench");
    conv.layer->loadWeights(reader);
    return conv;
}

Tensor randomInput(int c, int h, int w, std::mt19937& rng) {
    Tensor t = Tensor::uninitialized(Shape{c, h, w});
    std::normal_distribution<float> normal(0.f, 1.f);
    for (size_t i = 0; i < t.size(); ++i) {
        float v = normal(rng);
        t.data()[i] = v > 0 ? v : 0.2f * v;  // like the output of a LeakyReLU(0.2) layer
    }
    return t;
}

std::vector<double> reference(const Conv& conv, const Case& c, const Tensor& in) {
    const int h = in.h(), w = in.w();
    std::vector<double> out(static_cast<size_t>(h) * w * c.outC);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int k = 0; k < c.outC; ++k) {
                double s = conv.bias[k];
                for (int i = 0; i < 3; ++i) {
                    const int sy = y + i - 1;
                    if (sy < 0 || sy >= h) continue;
                    for (int j = 0; j < 3; ++j) {
                        const int sx = x + j - 1;
                        if (sx < 0 || sx >= w) continue;
                        const float* px = in.pixel(sy, sx);
                        const float* wk = conv.weights.data() + static_cast<size_t>(k) * c.inC * 9 + i * 3 + j;
                        for (int ch = 0; ch < c.inC; ++ch) s += static_cast<double>(px[ch]) * wk[ch * 9];
                    }
                }
                if (c.leaky && s < 0) s *= 0.2;
                out[(static_cast<size_t>(y) * w + x) * c.outC + k] = s;
            }
    return out;
}

struct Error {
    double rel, rms;
};

Error compare(const float* y, const std::vector<double>& ref) {
    double maxErr = 0, maxRef = 0, sumErr = 0, sumRef = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        const double e = std::fabs(y[i] - ref[i]);
        maxErr = std::max(maxErr, e);
        maxRef = std::max(maxRef, std::fabs(ref[i]));
        sumErr += e * e;
        sumRef += ref[i] * ref[i];
    }
    return {maxErr / maxRef, std::sqrt(sumErr / sumRef)};
}

double seconds() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

}  // namespace

int main(int argc, char** argv) {
    const int size = argc > 1 ? std::atoi(argv[1]) : 156;  // a 108 px tile with its 24 px halo
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
    setThreads(argc > 3 ? std::atoi(argv[3]) : 0);
    const bool avx2 = winograd::cpuSupported();
    std::printf("AVX2+FMA: %s, size %dx%d, best of %d interleaved rounds\n", avx2 ? "yes" : "no", size, size, rounds);

    const std::vector<Case> cases = {{64, 32, true},  {96, 32, true},  {128, 32, true}, {160, 32, true}, {192, 64, false},
                                     {64, 64, true},  {64, 64, false}, {3, 64, false},  {64, 3, false},  {32, 32, true},
                                     {16, 16, true}, {8, 16, true},  {5, 7, true}};
    CpuEngine engine;
    CpuKernelContext ctx;
    ctx.engine = &engine;
    std::mt19937 rng(1234);

    std::printf("%-10s %-5s | %-19s %-19s %-19s | %7s %7s %7s %7s | %s\n", "shape", "act", "rel/rms F(4,3)", "rel/rms F(2,3)",
                "rel/rms oneDNN", "oneDNN", "F(4,3)", "F(2,3)", "auto", "GMAC/s, speedup F(4,3)");
    std::vector<Case> selected = cases;
    if (argc > 4) {
        Case only{0, 0, false};
        if (std::sscanf(argv[4], "%d,%d", &only.inC, &only.outC) != 2) return 2;
        only.leaky = only.inC != only.outC;
        selected = {only};
    }
    for (const Case& c : selected) {
        Conv conv = makeConv(c, rng);
        // Accuracy on an odd size (partial tiles on both edges).
        const int ah = 37, aw = 42;
        Tensor small = randomInput(c.inC, ah, aw, rng);
        std::vector<double> ref = reference(conv, c, small);
        // MC_CONV is read when a kernel is made: one kernel for oneDNN, one for the automatic choice.
        setenv("MC_CONV", "onednn", 1);
        const std::unique_ptr<CpuKernel> dnn = cpuops::convolution(*conv.layer, ctx);
        setenv("MC_CONV", "auto", 1);
        const std::unique_ptr<CpuKernel> automatic = cpuops::convolution(*conv.layer, ctx);
        Tensor yDnn = Tensor::uninitialized(Shape{c.outC, ah, aw});
        dnn->run({small}, yDnn);
        Error eDnn = compare(yDnn.data(), ref), e4{NAN, NAN}, e2{NAN, NAN};
        const bool wgOk = avx2 && winograd::supportsChannels(c.inC, c.outC);
        std::unique_ptr<winograd::Conv3x3> w4, w2;
        if (wgOk) {
            w4 = std::make_unique<winograd::Conv3x3>(4, c.inC, c.outC, conv.weights.data(), conv.bias.data());
            w2 = std::make_unique<winograd::Conv3x3>(2, c.inC, c.outC, conv.weights.data(), conv.bias.data());
            Tensor y = Tensor::uninitialized(Shape{c.outC, ah, aw});
            w4->run(small.data(), c.inC, ah, aw, y.data(), c.leaky, 0.2f);
            e4 = compare(y.data(), ref);
            w2->run(small.data(), c.inC, ah, aw, y.data(), c.leaky, 0.2f);
            e2 = compare(y.data(), ref);
        }

        // Speed.
        Tensor in = randomInput(c.inC, size, size, rng);
        Tensor out = Tensor::uninitialized(Shape{c.outC, size, size});
        double best[4] = {1e30, 1e30, 1e30, 1e30};
        for (int r = -1; r < rounds; ++r) {  // round -1 warms up (primitive creation, weight transform)
            for (int m = 0; m < 4; ++m) {
                if ((m == 1 || m == 2) && !wgOk) continue;
                double t0 = seconds();
                if (m == 0) dnn->run({in}, out);
                else if (m == 3) automatic->run({in}, out);
                else (m == 1 ? w4 : w2)->run(in.data(), c.inC, size, size, out.data(), c.leaky, 0.2f);
                double t = seconds() - t0;
                if (r >= 0) best[m] = std::min(best[m], t);
            }
        }
        const double mac = 9.0 * c.inC * c.outC * size * size;
        char shape[32];
        std::snprintf(shape, sizeof shape, "%d->%d", c.inC, c.outC);
        std::printf("%-10s %-5s | %8.1e/%8.1e   %8.1e/%8.1e   %8.1e/%8.1e   | %7.1f %7.1f %7.1f %7.1f | x%.2f\n", shape,
                    c.leaky ? "leaky" : "none", e4.rel, e4.rms, e2.rel, e2.rms, eDnn.rel, eDnn.rms, mac / best[0] * 1e-9,
                    wgOk ? mac / best[1] * 1e-9 : 0.0, wgOk ? mac / best[2] * 1e-9 : 0.0, mac / best[3] * 1e-9,
                    wgOk ? best[0] / best[1] : 0.0);
        std::fflush(stdout);
    }
    unsetenv("MC_CONV");
    return 0;
}
