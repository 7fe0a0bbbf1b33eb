#pragma once
#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

namespace esrgan::testing {

// A 3x3 / pad 1 convolution layer's data for the kernel tests and benchmarks: Kaiming-scaled
// weights (OIHW), small biases, and inputs like the output of a LeakyReLU(0.2) layer.
struct ConvCase {
    int inC, outC;
    std::vector<float> weights, bias;

    ConvCase(int inC_, int outC_, std::mt19937& rng) : inC(inC_), outC(outC_) {
        std::normal_distribution<float> kaiming(0.f, std::sqrt(2.f / (9.f * inC))), small(0.f, 0.1f);
        weights.resize(static_cast<size_t>(outC) * inC * 9);
        bias.resize(outC);
        for (float& w : weights) w = kaiming(rng);
        for (float& b : bias) b = small(rng);
    }
};

// h x w pixels of `channels` values, `pitch` floats apart; the floats between (pitch > channels)
// are `gap` (NaN in the tests, so that a kernel reading them is caught).
inline std::vector<float> randomActivations(int h, int w, int channels, int pitch, float gap, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.f, 1.f);
    std::vector<float> t(static_cast<size_t>(h) * w * pitch, gap);
    for (size_t p = 0; p < static_cast<size_t>(h) * w; ++p)
        for (int c = 0; c < channels; ++c) {
            const float v = normal(rng);
            t[p * pitch + c] = v > 0 ? v : 0.2f * v;
        }
    return t;
}

// The convolution in double: out[(y * w + x) * outC + k], bias and LeakyReLU(slope) when leaky.
inline std::vector<double> referenceConv3x3(const ConvCase& c, const float* in, int inPitch, int h, int w, bool leaky, float slope) {
    std::vector<double> out(static_cast<size_t>(h) * w * c.outC);
    std::vector<double> acc(c.outC);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            for (int k = 0; k < c.outC; ++k) acc[k] = c.bias[k];
            for (int i = 0; i < 3; ++i) {
                const int sy = y + i - 1;
                if (sy < 0 || sy >= h) continue;
                for (int j = 0; j < 3; ++j) {
                    const int sx = x + j - 1;
                    if (sx < 0 || sx >= w) continue;
                    const float* px = in + (static_cast<size_t>(sy) * w + sx) * inPitch;
                    for (int k = 0; k < c.outC; ++k) {
                        const float* wk = c.weights.data() + static_cast<size_t>(k) * c.inC * 9 + i * 3 + j;
                        double s = 0;
                        for (int ch = 0; ch < c.inC; ++ch) s += static_cast<double>(px[ch]) * wk[ch * 9];
                        acc[k] += s;
                    }
                }
            }
            for (int k = 0; k < c.outC; ++k) {
                double v = acc[k];
                if (leaky && v < 0) v *= slope;
                out[(static_cast<size_t>(y) * w + x) * c.outC + k] = v;
            }
        }
    return out;
}

// A PReLU on a reference output: negative values of channel k times slopes[k].
inline std::vector<double> withPrelu(std::vector<double> ref, int outC, const std::vector<float>& slopes) {
    for (size_t i = 0; i < ref.size(); ++i)
        if (ref[i] < 0) ref[i] *= slopes[i % outC];
    return ref;
}

// Errors of y (outPitch floats per pixel) against the reference, relative to the reference's
// scale: max |y - ref| / max |ref| and rms(y - ref) / rms(ref).
struct ConvError {
    double maxRel, rmsRel;
};

inline ConvError compareConv(const float* y, int outPitch, const std::vector<double>& ref, int outC) {
    double maxErr = 0, maxRef = 0, sumErr = 0, sumRef = 0;
    const size_t pixels = ref.size() / outC;
    for (size_t p = 0; p < pixels; ++p)
        for (int k = 0; k < outC; ++k) {
            const double r = ref[p * outC + k], e = std::fabs(y[p * outPitch + k] - r);
            if (!(e <= maxErr)) maxErr = e;  // NaN sticks
            maxRef = std::fmax(maxRef, std::fabs(r));
            sumErr += e * e;
            sumRef += r * r;
        }
    return {maxErr / maxRef, std::sqrt(sumErr / sumRef)};
}

}  // namespace esrgan::testing
