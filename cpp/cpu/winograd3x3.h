#pragma once
#include <cstdlib>
#include <memory>

namespace esrgan {
namespace winograd {

// Winograd F(m,3) convolution for 3x3, stride 1, dilation 1, zero padding 1 on NHWC float tensors,
// with bias and a fused ReLU / LeakyReLU. The kernels are AVX2+FMA, compiled with per-function
// target attributes; callers must check cpuSupported() first (the oneDNN path is the fallback).
//
// Per block of tiles each thread transforms the input (V = Bt d B), runs alpha^2 small GEMMs
// against the pre-transformed weights (U = G g Gt, packed in 16-wide output-channel panels) and
// transforms back (Y = At M A) adding bias and the activation, all in thread-local, cache-sized
// buffers.

// True when the CPU has AVX2 and FMA.
bool cpuSupported();

// Whether the kernels handle this channel configuration (any; inside the transformed domain
// input channels are padded to a multiple of 8 and output channels to a multiple of 16).
bool supportsChannels(int inC, int outC);

class Conv3x3 {
public:
    // tile: m of F(m,3), 2 or 4. weights: OIHW [outC][inC][3][3]; bias: outC values or null.
    // The weight transform runs here, in double precision.
    Conv3x3(int tile, int inC, int outC, const float* weights, const float* bias);

    // in: [h][w][inC], out: [h][w][outC] (h, w >= 1). leakySlope applies when leaky is true
    // (0 gives ReLU). Parallel with OpenMP over tile blocks. Thread-safe (const).
    // inPitch: floats from one input pixel to the next (>= inC; larger for a channel-prefix view).
    void run(const float* in, int inPitch, int h, int w, float* out, bool leaky, float leakySlope) const;
    // outPitch: floats from one output pixel to the next (>= outC); channels past outC are untouched.
    // channelSlopes: outC PReLU slopes, one per output channel, used instead of leaky/leakySlope.
    void run(const float* in, int inPitch, int h, int w, float* out, int outPitch, bool leaky, float leakySlope,
             const float* channelSlopes = nullptr) const;

    int tile() const { return m_; }
    int inChannels() const { return inC_; }
    int outChannels() const { return outC_; }

private:
    int m_, alpha_, inC_, outC_;
    struct Free {
        void operator()(float* p) const { std::free(p); }
    };
    std::unique_ptr<float, Free> u_;     // [alpha^2][Kp/16][Cp][16], 64-byte aligned, zero padded
    std::unique_ptr<float, Free> bias_;  // [Kp], zero padded
};

}  // namespace winograd
}  // namespace esrgan
