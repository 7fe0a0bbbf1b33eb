// Whole-model accuracy and speed of the conv3x3 kernel paths: runs a real model on a crop of a
// real photo with its 3x3 convolutions on one path (the other layers as the runner runs them)
// and compares the 8-bit output with the fp32 oneDNN reference: PSNR, share of values within
// +-1 and the largest difference, plus the forward time. Not built by default:
//   cmake --build <build> --target model_check
//   <build>/cpp/model_check MODEL.param PHOTO.ppm [--size N] [--rounds R] [--threads T] [--paths P,...] [--fuse-prelu 0|1]
// Paths: onednn (every conv by oneDNN fp32: the reference), current (the runner's own choice
// today, ConvolutionLayer with MC_CONV unset), onednn-bf16, auto-fp32 / auto-bf16 (makeConv3x3 at
// the active ISA, oneDNN of that precision where it gives null), or a variant name of
// allConv3x3 such as wino6-avx512-fp32 (used where the layer has >= 16 input channels). On the
// paths with kernels of ours a convolution followed by its PReLU runs fused (--fuse-prelu 0: not).
#include <omp.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "cpu/conv3x3.h"
#include "cpu/cpu_engine.h"
#include "cpu/isa.h"
#include "cpu/onednn_conv3x3.h"
#include "model/network.h"
#include "ops/convolution.h"
#include "ops/elementwise.h"

using namespace esrgan;
using namespace esrgan::cpu;

namespace {

struct Image {
    int w = 0, h = 0;
    std::vector<uint8_t> rgb;
};

Image readPpm(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::string magic;
    int maxval = 0;
    Image img;
    f >> magic >> img.w >> img.h >> maxval;
    if (!f || magic != "P6" || maxval != 255 || img.w < 1 || img.h < 1)
        throw std::runtime_error(path + ": not a binary 8-bit PPM (P6); convert it first, e.g. with PIL or ImageMagick");
    f.get();
    img.rgb.resize(static_cast<size_t>(img.w) * img.h * 3);
    f.read(reinterpret_cast<char*>(img.rgb.data()), static_cast<std::streamsize>(img.rgb.size()));
    if (!f) throw std::runtime_error(path + ": truncated PPM");
    return img;
}

// The centre size x size crop as the runner feeds it: RGB in [0, 1], NHWC.
Tensor centreCrop(const Image& img, int size) {
    if (size > img.w || size > img.h) throw std::runtime_error("the photo is smaller than --size");
    const int x0 = (img.w - size) / 2, y0 = (img.h - size) / 2;
    Tensor t = Tensor::uninitialized(Shape{3, size, size});
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x)
            for (int c = 0; c < 3; ++c) t.at(c, y, x) = img.rgb[(static_cast<size_t>(y0 + y) * img.w + x0 + x) * 3 + c] / 255.f;
    return t;
}

std::vector<uint8_t> toBytes(const Tensor& t) {
    std::vector<uint8_t> out(t.size());
    for (size_t i = 0; i < t.size(); ++i) out[i] = static_cast<uint8_t>(std::floor(std::min(std::max(t.data()[i] * 255.f, 0.f), 255.f) + 0.5f));
    return out;
}

// CPU seconds of the process: with OMP_WAIT_POLICY=passive, divided by the threads, a time that
// other jobs on a shared machine do not inflate.
double cpuNow() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// A 3x3 / stride 1 / dilation 1 / zero pad 1 convolution with none, ReLU or LeakyReLU.
bool kernelEligible(const ConvolutionLayer& conv, const Shape& in) {
    const ConvGeometry& g = conv.convGeometry();
    const ConvPads pads = conv.padsForInput(in.h, in.w);
    return g.kernelW == 3 && g.kernelH == 3 && g.strideW == 1 && g.strideH == 1 && g.dilationW == 1 && g.dilationH == 1 && pads.left == 1 &&
           pads.right == 1 && pads.top == 1 && pads.bottom == 1 && conv.padValue() == 0.f && conv.activation().type >= 0 &&
           conv.activation().type <= 2;
}

// Runs the network's layers in order like Network::forward, with eligible 3x3 convolutions on
// the path's kernels (made once per layer) and everything else on the layers themselves.
class PathRunner {
public:
    // fusePrelu: a convolution without activation whose only reader is a PReLU runs both at once
    // (Conv3x3Kernel::runPrelu), on the paths with kernels of ours.
    PathRunner(Network& net, std::string path, bool fusePrelu) : net_(net), path_(std::move(path)), fusePrelu_(fusePrelu) {}

    Tensor forward(const Tensor& input) {
        // One engine for the whole run: the layers cache primitives made on the first one.
        static CpuEngine engine;
        ExecContext ctx{&engine};
        std::vector<int> lastUse(net_.blobCount(), -1), readers(net_.blobCount(), 0);
        for (size_t i = 0; i < net_.layerCount(); ++i)
            for (int b : net_.layerBottoms(i)) {
                lastUse[b] = static_cast<int>(i);
                readers[b]++;
            }
        std::vector<Tensor> blobs(net_.blobCount());
        std::vector<bool> done(net_.layerCount(), false);
        for (size_t i = 0; i < net_.layerCount(); ++i) {
            if (done[i]) continue;
            std::vector<Tensor> in;
            if (static_cast<int>(i) == net_.inputLayerIndex()) in.push_back(input);
            for (int b : net_.layerBottoms(i)) in.push_back(blobs[b]);
            std::vector<Tensor> out;
            const Layer& layer = net_.layer(i);
            const auto* conv = dynamic_cast<const ConvolutionLayer*>(&layer);
            const Conv3x3Kernel* k = conv && kernelEligible(*conv, in[0].shape()) ? kernelFor(i, *conv) : nullptr;
            const double c0 = cpuNow();
            const PReluLayer* prelu = nullptr;
            if (k && fusePrelu_ && conv->activation().type == 0 && i + 1 < net_.layerCount() && net_.layerTops(i).size() == 1) {
                const int top = net_.layerTops(i)[0];
                const auto& nextBottoms = net_.layerBottoms(i + 1);
                prelu = dynamic_cast<const PReluLayer*>(&net_.layer(i + 1));
                if (!prelu || readers[top] != 1 || nextBottoms.size() != 1 || nextBottoms[0] != top) prelu = nullptr;
            }
            if (k) {
                const Tensor& x = in[0];
                Tensor y = Tensor::uninitialized(Shape{conv->outputChannels(), x.h(), x.w()});
                const FusedActivation& act = conv->activation();
                const float slope = act.type == 2 && !act.params.empty() ? act.params[0] : 0.f;
                if (prelu) {
                    std::vector<float> slopes = prelu->slopes();
                    slopes.resize(conv->outputChannels(), slopes.empty() ? 0.f : slopes[0]);  // one shared slope
                    k->runPrelu(x.data(), x.pitch(), x.h(), x.w(), y.data(), y.pitch(), slopes.data());
                    ++fused_;
                } else {
                    k->run(x.data(), x.pitch(), x.h(), x.w(), y.data(), y.pitch(), act.type != 0, slope);
                }
                out.push_back(y);
            } else {
                if (!layer.acceptsChannelViews())
                    for (Tensor& t : in) t = t.densified();
                out = layer.forward(in, ctx);
            }
            if (conv) convCpu_ += cpuNow() - c0;
            if (prelu) {  // the PReLU's output is the fused result; its input never exists
                done[i + 1] = true;
                blobs[net_.layerTops(i + 1)[0]] = std::move(out[0]);
                for (int b : net_.layerBottoms(i))
                    if (lastUse[b] == static_cast<int>(i)) blobs[b] = Tensor();
                continue;
            }
            for (size_t t = 0; t < net_.layerTops(i).size(); ++t) blobs[net_.layerTops(i)[t]] = std::move(out[t]);
            for (int b : net_.layerBottoms(i))
                if (lastUse[b] == static_cast<int>(i)) blobs[b] = Tensor();
        }
        return blobs[net_.outputBlobIndex()].densified();
    }

    // The kernels chosen, with how many layers each runs.
    std::map<std::string, int> kernelsUsed() const {
        std::map<std::string, int> used;
        for (const auto& [layer, k] : kernels_) used[k ? k->describe() : "layer's own (" + std::string(getenv("MC_CONV") ? getenv("MC_CONV") : "auto") + ")"]++;
        return used;
    }

    // Conv+PReLU pairs run fused since the last call.
    int takeFused() {
        const int f = fused_;
        fused_ = 0;
        return f;
    }

    // CPU seconds spent in convolutions (all, 3x3 or not) since the last call.
    double takeConvCpu() {
        const double t = convCpu_;
        convCpu_ = 0;
        return t;
    }

private:
    double convCpu_ = 0;
    int fused_ = 0;
    const Conv3x3Kernel* kernelFor(size_t layer, const ConvolutionLayer& conv) {
        auto found = kernels_.find(layer);
        if (found != kernels_.end()) return found->second.get();
        const int inC = conv.inputChannels(), outC = conv.outputChannels();
        const float* w = conv.weights().data();
        const float* b = conv.biases().data();
        std::unique_ptr<Conv3x3Kernel> k;
        if (path_ == "onednn-bf16") {
            k = makeOneDnnConv3x3(OneDnnMode::Bf16, inC, outC, w, b);
        } else if (path_ == "auto-fp32" || path_ == "auto-bf16") {
            const Precision p = effectivePrecision(activeIsa(), path_ == "auto-bf16" ? Precision::Bf16 : Precision::Fp32);
            k = makeConv3x3(activeIsa(), p, inC, outC, w, b);
            if (!k) k = makeOneDnnConv3x3(p == Precision::Bf16 ? OneDnnMode::Bf16 : OneDnnMode::Fp32, inC, outC, w, b);
        } else if (path_ != "onednn" && path_ != "current") {
            const bool bf16 = path_.find("bf16") != std::string::npos;
            if (inC >= 16) {
                for (Conv3x3Variant& v : allConv3x3(activeIsa(), bf16 ? Precision::Bf16 : Precision::Fp32, inC, outC, w, b))
                    if (v.name == path_) k = std::move(v.kernel);
                if (!k) throw std::runtime_error("no kernel variant '" + path_ + "' at " + isaName(activeIsa()));
            } else {
                k = makeOneDnnConv3x3(bf16 ? OneDnnMode::Bf16 : OneDnnMode::Fp32, inC, outC, w, b);
            }
        }
        return kernels_.emplace(layer, std::move(k)).first->second.get();
    }

    Network& net_;
    std::string path_;
    bool fusePrelu_;
    std::map<size_t, std::unique_ptr<Conv3x3Kernel>> kernels_;
};

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    for (size_t start = 0; start <= s.size();) {
        size_t end = s.find(',', start);
        if (end == std::string::npos) end = s.size();
        if (end > start) out.push_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: model_check MODEL.param PHOTO.ppm [--size N] [--rounds R] [--threads T] [--paths P,...] [--fuse-prelu 0|1]\n");
        return 2;
    }
    const std::string param = argv[1], photo = argv[2];
    int size = 148, rounds = 3, threads = 0;
    bool fusePrelu = true;
    std::vector<std::string> paths = {"onednn", "current", "auto-fp32", "auto-bf16"};
    for (int i = 3; i + 1 < argc; i += 2) {
        const std::string a = argv[i], v = argv[i + 1];
        if (a == "--size") size = std::atoi(v.c_str());
        else if (a == "--rounds") rounds = std::atoi(v.c_str());
        else if (a == "--threads") threads = std::atoi(v.c_str());
        else if (a == "--paths") paths = split(v);
        else if (a == "--fuse-prelu") fusePrelu = v != "0";
        else {
            std::fprintf(stderr, "model_check: unknown option %s\n", a.c_str());
            return 2;
        }
    }
    if (threads > 0) omp_set_num_threads(threads);
    try {
        const std::string bin = param.substr(0, param.size() - 6) + ".bin";
        std::unique_ptr<Network> net = Network::load(param, bin);
        const Tensor input = centreCrop(readPpm(photo), size);
        std::printf("%s on a %dx%d crop of %s, ISA %s, %d threads, best of %d\n(cpu/thr: CPU time / threads, run with OMP_WAIT_POLICY=passive on a shared machine; conv: the part in\nconvolutions; us/px: cpu/thr per input pixel)\n", param.c_str(), size, size, photo.c_str(),
                    isaName(activeIsa()), omp_get_max_threads(), rounds);
        std::printf("%-20s %9s %9s %9s %8s %9s %8s %9s   %s\n", "path", "wall s", "cpu/thr s", "conv s", "us/px", "PSNR dB", "+-1 %",
                    "max diff", "kernels (layers)");
        std::vector<uint8_t> reference;
        for (const std::string& path : paths) {
            if (path == "onednn") setenv("MC_CONV", "onednn", 1);
            else unsetenv("MC_CONV");
            PathRunner runner(*net, path == "current" ? "onednn" : path, fusePrelu);
            if (path == "current") unsetenv("MC_CONV");
            double bestTime = 1e30, bestCpu = 1e30, bestConv = 1e30;
            Tensor out;
            for (int r = 0; r <= rounds; ++r) {  // the first round makes the kernels (weight transforms)
                const double t0 = now(), c0 = cpuNow();
                out = runner.forward(input);
                const double conv = runner.takeConvCpu() / omp_get_max_threads();
                if (r > 0) {
                    bestTime = std::min(bestTime, now() - t0);
                    bestCpu = std::min(bestCpu, (cpuNow() - c0) / omp_get_max_threads());
                    bestConv = std::min(bestConv, conv);
                }
            }
            const std::vector<uint8_t> bytes = toBytes(out);
            if (reference.empty()) reference = bytes;
            double se = 0;
            size_t within = 0;
            int maxDiff = 0;
            for (size_t i = 0; i < bytes.size(); ++i) {
                const int d = std::abs(static_cast<int>(bytes[i]) - reference[i]);
                se += static_cast<double>(d) * d;
                within += d <= 1;
                maxDiff = std::max(maxDiff, d);
            }
            const double mse = se / bytes.size();
            const double psnr = mse > 0 ? 10 * std::log10(255.0 * 255.0 / mse) : INFINITY;
            std::string used;
            for (const auto& [name, count] : runner.kernelsUsed()) used += name + " (" + std::to_string(count) + ") ";
            const int fusedPerPass = runner.takeFused() / (rounds + 1);
            if (fusedPerPass > 0) used += "+PReLU fused (" + std::to_string(fusedPerPass) + ")";
            std::printf("%-20s %9.3f %9.3f %9.3f %8.1f %9.2f %8.3f %9d   %s\n", path.c_str(), bestTime, bestCpu, bestConv,
                        bestCpu / (static_cast<double>(size) * size) * 1e6, psnr, 100.0 * within / bytes.size(), maxDiff, used.c_str());
            std::fflush(stdout);
        }
        unsetenv("MC_CONV");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "model_check: %s\n", e.what());
        return 1;
    }
    return 0;
}
