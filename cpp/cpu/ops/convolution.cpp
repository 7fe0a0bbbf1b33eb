// CPU convolutions: 3x3 stride-1 layers on our Winograd kernels where they win, everything else
// (and every deconvolution) on oneDNN.
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include "cpu/cpu_engine.h"
#include "cpu/onednn_util.h"
#include "cpu/ops/cpu_ops.h"
#include "cpu/winograd3x3.h"
#include "ops/convolution.h"

namespace esrgan::cpuops {

namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

// MC_CONV selects the 3x3 path: unset or "auto" (default), "onednn" (always oneDNN), "winograd"
// (F(4,3) wherever the kernels support the layer), "winograd2" (likewise with F(2,3)).
int winogradTileRequested(int defaultTile) {
    const char* env = std::getenv("MC_CONV");
    if (!env || !*env || std::strcmp(env, "auto") == 0) return defaultTile;
    if (std::strcmp(env, "onednn") == 0) return 0;
    if (std::strcmp(env, "winograd") == 0) return 4;
    if (std::strcmp(env, "winograd2") == 0) return 2;
    return defaultTile;
}

// Which F(m,3) beats oneDNN's direct convolution for a channel configuration (0: none), from
// cpp/tools/conv_bench.cpp on a 2-core AVX2 EPYC (156x156, 2 threads): F(4,3) runs the x4plus
// trunk shapes (64..192 -> 32/64) at 160-215 GMAC/s against oneDNN's 70-77 (F(2,3): 120-160),
// 64->3 at 1.5x and 16->16 at 1.45x; with under 16 input channels (3->64, 8->16) the transforms
// dominate and oneDNN keeps the layer.
int winogradTileFor(int inC, int outC) {
    if (!winograd::supportsChannels(inC, outC)) return 0;
    return inC >= 16 ? 4 : 0;
}

// The same window of `src`, densely packed (oneDNN's convolutions take dense tensors).
Tensor dense(const Tensor& t) { return t.densified(); }

// Runs `body` with a dense output: `out` itself when it is dense, else a temporary copied into it.
template <typename Body>
void intoView(Tensor& out, Body body) {
    if (out.dense()) {
        body(out);
        return;
    }
    Tensor tmp = Tensor::uninitialized(out.shape());
    body(tmp);
    copyChannels(tmp, out, 0);
}

// One oneDNN (de)convolution primitive per input size, with its weights reordered once.
struct Compiled {
    dnnl::primitive primitive;
    memory::desc srcDesc, dstDesc;
    memory weights, bias;
    bool srcReorder = false, dstReorder = false;
    Shape dstShape;
};

void execute(CpuEngine& engine, const Compiled& c, const Tensor& in, Tensor& out) {
    dnnl::engine& eng = engine.engine();
    dnnl::stream& stream = engine.stream();
    memory src(channelsLastDesc(in.shape()), eng, const_cast<float*>(in.data()));
    memory dst(channelsLastDesc(out.shape()), eng, out.data());
    memory convSrc = src, convDst = dst;
    if (c.srcReorder) {
        convSrc = memory(c.srcDesc, eng);
        dnnl::reorder(src, convSrc).execute(stream, src, convSrc);
    }
    if (c.dstReorder) convDst = memory(c.dstDesc, eng);
    c.primitive.execute(stream, {{DNNL_ARG_SRC, convSrc}, {DNNL_ARG_WEIGHTS, c.weights}, {DNNL_ARG_BIAS, c.bias}, {DNNL_ARG_DST, convDst}});
    if (c.dstReorder) dnnl::reorder(convDst, dst).execute(stream, convDst, dst);
    stream.wait();
}

// Compiled primitives by input size (oneDNN primitives are specialised to their shapes).
class PrimitiveCache {
public:
    template <typename Make>
    const Compiled& get(const Shape& input, Make make) const {
        std::lock_guard<std::mutex> lock(mutex_);
        const auto key = std::make_pair(input.h, input.w);
        auto found = cache_.find(key);
        if (found != cache_.end()) return *found->second;
        return *cache_.emplace(key, make()).first->second;
    }

private:
    mutable std::mutex mutex_;
    mutable std::map<std::pair<int, int>, std::unique_ptr<Compiled>> cache_;
};

template <typename PrimitiveDesc>
std::unique_ptr<Compiled> finish(CpuEngine& engine, const PrimitiveDesc& pd, const ConvLayerBase& layer, const Shape& in, const Shape& out,
                                 memory::format_tag userWeights) {
    auto c = std::make_unique<Compiled>();
    c->srcDesc = pd.src_desc();
    c->dstDesc = pd.dst_desc();
    c->srcReorder = c->srcDesc != channelsLastDesc(in);
    c->dstReorder = c->dstDesc != channelsLastDesc(out);
    c->dstShape = out;
    const ConvGeometry& g = layer.convGeometry();
    memory::dims wdims = {layer.outputChannels(), layer.inputChannels(), g.kernelH, g.kernelW};
    memory user({wdims, dt::f32, userWeights}, engine.engine(), const_cast<float*>(layer.weights().data()));
    c->weights = memory(pd.weights_desc(), engine.engine());
    dnnl::reorder(user, c->weights).execute(engine.stream(), user, c->weights);
    c->bias = memory(memory::desc({layer.outputChannels()}, dt::f32, tag::a), engine.engine());
    std::copy(layer.biases().begin(), layer.biases().end(), static_cast<float*>(c->bias.get_data_handle()));
    engine.stream().wait();
    return c;
}

class ConvolutionKernel : public CpuKernel {
public:
    ConvolutionKernel(const ConvolutionLayer& layer, CpuEngine& engine) : layer_(layer), engine_(engine) {
        const FusedActivation& act = layer.activation();
        const ConvGeometry& g = layer.convGeometry();
        // Zero padding of 1 on every side: explicit, or SAME (which resolves to 1 for a 3x3 stride-1 kernel).
        const bool padOne = (g.padLeft == 1 && g.padRight == 1 && g.padTop == 1 && g.padBottom == 1) || g.padLeft < 0;
        const bool capable = layer.isPlain3x3() && padOne && layer.padValue() == 0.f && act.type >= 0 && act.type <= 2 &&
                             winograd::supportsChannels(layer.inputChannels(), layer.outputChannels()) && winograd::cpuSupported();
        const int tile = capable ? winogradTileRequested(winogradTileFor(layer.inputChannels(), layer.outputChannels())) : 0;
        if (tile != 0)
            winograd_ = std::make_unique<winograd::Conv3x3>(tile, layer.inputChannels(), layer.outputChannels(), layer.weights().data(),
                                                            layer.biases().data());
    }

    void run(const std::vector<Tensor>& inputs, Tensor& out) const override {
        const Tensor& in = inputs[0];
        if (winograd_) {
            const FusedActivation& act = layer_.activation();
            const float slope = act.type == 2 ? act.param(0, 0.f) : 0.f;
            intoView(out, [&](Tensor& o) { winograd_->run(in.data(), in.pitch(), in.h(), in.w(), o.data(), act.type != 0, slope); });
            return;
        }
        Tensor src = dense(in);
        if (layer_.padValue() != 0.f) src = padded(src);
        const Compiled& c = compiled(src.shape());
        intoView(out, [&](Tensor& o) { execute(engine_, c, src, o); });
    }

private:
    // With a non-zero pad value the input is padded here and the primitive runs unpadded.
    Tensor padded(const Tensor& in) const {
        const ConvPads pads = layer_.padsForInput(in.h(), in.w());
        Tensor p = Tensor::uninitialized(Shape{in.c(), in.h() + pads.top + pads.bottom, in.w() + pads.left + pads.right});
        for (int y = 0; y < p.h(); ++y)
            for (int x = 0; x < p.w(); ++x) {
                const int sy = y - pads.top, sx = x - pads.left;
                const bool inside = sy >= 0 && sx >= 0 && sy < in.h() && sx < in.w();
                for (int c = 0; c < p.c(); ++c) p.at(c, y, x) = inside ? in.at(c, sy, sx) : layer_.padValue();
            }
        return p;
    }

    const Compiled& compiled(const Shape& input) const { return cache_.get(input, [&] { return compile(input); }); }

    std::unique_ptr<Compiled> compile(const Shape& input) const {
        const ConvGeometry& g = layer_.convGeometry();
        const bool explicitPad = layer_.padValue() != 0.f;
        const ConvPads pads = explicitPad ? ConvPads{0, 0, 0, 0} : layer_.padsForInput(input.h, input.w);
        const Shape out{layer_.outputChannels(), (input.h + pads.top + pads.bottom - g.extentH()) / g.strideH + 1,
                        (input.w + pads.left + pads.right - g.extentW()) / g.strideW + 1};
        dnnl::primitive_attr attr;
        attr.set_post_ops(activationPostOps(layer_.activation()));
        auto pd = dnnl::convolution_forward::primitive_desc(
            engine_.engine(), dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
            memory::desc({1, input.c, input.h, input.w}, dt::f32, tag::any), memory::desc({out.c, input.c, g.kernelH, g.kernelW}, dt::f32, tag::any),
            memory::desc({out.c}, dt::f32, tag::a), memory::desc({1, out.c, out.h, out.w}, dt::f32, tag::any), {g.strideH, g.strideW},
            {g.dilationH - 1, g.dilationW - 1}, {pads.top, pads.left}, {pads.bottom, pads.right}, attr);
        auto c = finish(engine_, pd, layer_, input, out, tag::oihw);
        c->primitive = dnnl::convolution_forward(pd);
        return c;
    }

    const ConvolutionLayer& layer_;
    CpuEngine& engine_;
    std::unique_ptr<winograd::Conv3x3> winograd_;
    PrimitiveCache cache_;
};

// oneDNN computes the uncropped result ((in - 1) * stride + extent); the kernel then crops the pads
// and fills the output padding (which no input pixel reaches) with the activated bias.
class DeconvolutionKernel : public CpuKernel {
public:
    DeconvolutionKernel(const DeconvolutionLayer& layer, CpuEngine& engine) : layer_(layer), engine_(engine) {}

    void run(const std::vector<Tensor>& inputs, Tensor& out) const override {
        Tensor src = dense(inputs[0]);
        const Compiled& c = compiled(src.shape());
        Tensor full = Tensor::uninitialized(c.dstShape);
        execute(engine_, c, src, full);
        const ConvGeometry& g = layer_.convGeometry();
        const std::vector<float>& bias = layer_.biases();
        const FusedActivation& act = layer_.activation();
#pragma omp parallel for schedule(static)
        for (int y = 0; y < out.h(); ++y)
            for (int x = 0; x < out.w(); ++x) {
                const int fy = y + g.padTop, fx = x + g.padLeft;
                float* o = out.pixel(y, x);
                if (fy < full.h() && fx < full.w()) std::memcpy(o, full.pixel(fy, fx), sizeof(float) * out.c());
                else
                    for (int k = 0; k < out.c(); ++k) o[k] = act.apply(bias[k]);
            }
    }

private:
    const Compiled& compiled(const Shape& input) const { return cache_.get(input, [&] { return compile(input); }); }

    std::unique_ptr<Compiled> compile(const Shape& input) const {
        const ConvGeometry& g = layer_.convGeometry();
        const Shape full{layer_.outputChannels(), (input.h - 1) * g.strideH + g.extentH(), (input.w - 1) * g.strideW + g.extentW()};
        dnnl::primitive_attr attr;
        attr.set_post_ops(activationPostOps(layer_.activation()));
        auto pd = dnnl::deconvolution_forward::primitive_desc(
            engine_.engine(), dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
            memory::desc({1, input.c, input.h, input.w}, dt::f32, tag::any),
            memory::desc({full.c, input.c, g.kernelH, g.kernelW}, dt::f32, tag::any), memory::desc({full.c}, dt::f32, tag::a),
            memory::desc({1, full.c, full.h, full.w}, dt::f32, tag::any), {g.strideH, g.strideW}, {g.dilationH - 1, g.dilationW - 1},
            {0, 0}, {0, 0}, attr);
        auto c = finish(engine_, pd, layer_, input, full, tag::oihw);
        c->primitive = dnnl::deconvolution_forward(pd);
        return c;
    }

    const DeconvolutionLayer& layer_;
    CpuEngine& engine_;
    PrimitiveCache cache_;
};

}  // namespace

std::unique_ptr<CpuKernel> convolution(const Layer& layer, const CpuKernelContext& context) {
    return std::make_unique<ConvolutionKernel>(static_cast<const ConvolutionLayer&>(layer), *context.engine);
}

std::unique_ptr<CpuKernel> deconvolution(const Layer& layer, const CpuKernelContext& context) {
    return std::make_unique<DeconvolutionKernel>(static_cast<const DeconvolutionLayer&>(layer), *context.engine);
}

}  // namespace esrgan::cpuops
