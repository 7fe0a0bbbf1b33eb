#include "cpu/onednn_conv3x3.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <cstring>
#include <map>
#include <mutex>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace esrgan::cpu {

namespace {

using dnnl::memory;
using dt = memory::data_type;
using tag = memory::format_tag;

memory::desc pitchedNhwc(int c, int h, int w, int pitch, dt type) {
    const memory::dim p = pitch;
    return memory::desc({1, c, h, w}, type, memory::dims{static_cast<memory::dim>(h) * w * p, 1, static_cast<memory::dim>(w) * p, p});
}

class OneDnnConv3x3 final : public Conv3x3Kernel {
public:
    OneDnnConv3x3(OneDnnMode mode, int inC, int outC, const float* weights, const float* bias)
        : mode_(mode), inC_(inC), outC_(outC), engine_(dnnl::engine::kind::cpu, 0), stream_(engine_),
          weightsOihw_(weights, weights + static_cast<size_t>(outC) * inC * 9), bias_(outC, 0.f) {
        if (bias) std::memcpy(bias_.data(), bias, sizeof(float) * outC);
    }

    void run(const float* in, int inPitch, int h, int w, float* out, int outPitch, bool leaky, float slope) const override {
        execute(in, inPitch, h, w, out, outPitch, leaky ? Activation::Leaky : Activation::None, slope, nullptr);
    }

    void runPrelu(const float* in, int inPitch, int h, int w, float* out, int outPitch, const float* slopes) const override {
        execute(in, inPitch, h, w, out, outPitch, Activation::Prelu, 0.f, slopes);
    }

    std::string describe() const override {
        std::lock_guard<std::mutex> lock(mutex_);
        std::string impl = cache_.empty() ? "" : " (" + cache_.begin()->second.impl + ")";
        return std::string("oneDNN direct ") + oneDnnModeName(mode_) + impl;
    }

private:
    enum class Activation { None, Leaky, Prelu };

    void execute(const float* in, int inPitch, int h, int w, float* out, int outPitch, Activation act, float slope,
                 const float* slopes) const {
        const Compiled& c = primitiveFor(h, w, inPitch, outPitch, act, slope);
        dnnl::stream stream(engine_);  // one per call keeps run() thread-safe
        memory src(pitchedNhwc(inC_, h, w, inPitch, dt::f32), engine_, const_cast<float*>(in));
        memory dst(pitchedNhwc(outC_, h, w, outPitch, dt::f32), engine_, out);
        memory convSrc = src, convDst = dst;
        if (c.srcDesc != src.get_desc()) {
            convSrc = memory(c.srcDesc, engine_);
            dnnl::reorder(src, convSrc).execute(stream, src, convSrc);
        }
        if (c.dstDesc != dst.get_desc()) convDst = memory(c.dstDesc, engine_);
        std::unordered_map<int, memory> args{{DNNL_ARG_SRC, convSrc}, {DNNL_ARG_WEIGHTS, c.weights}, {DNNL_ARG_BIAS, c.bias}, {DNNL_ARG_DST, convDst}};
        if (act == Activation::Prelu)
            args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_WEIGHTS] =
                memory(memory::desc({1, outC_, 1, 1}, dt::f32, tag::abcd), engine_, const_cast<float*>(slopes));
        c.conv.execute(stream, args);
        if (c.dstDesc != dst.get_desc()) dnnl::reorder(convDst, dst).execute(stream, convDst, dst);
        stream.wait();
    }

    struct Compiled {
        dnnl::convolution_forward conv;
        memory::desc srcDesc, dstDesc;
        memory weights, bias;
        std::string impl;
    };

    const Compiled& primitiveFor(int h, int w, int inPitch, int outPitch, Activation act, float slope) const {
        std::lock_guard<std::mutex> lock(mutex_);
        const auto key = std::make_tuple(h, w, inPitch, outPitch, static_cast<int>(act), slope);
        auto found = cache_.find(key);
        if (found != cache_.end()) return found->second;

        const dt type = mode_ == OneDnnMode::Bf16 ? dt::bf16 : dt::f32;
        // Pitched f32 views are taken as they are; a bf16 source is a dense conversion of the input.
        const memory::desc src = type == dt::f32 ? pitchedNhwc(inC_, h, w, inPitch, dt::f32) : memory::desc({1, inC_, h, w}, type, tag::nhwc);
        const memory::desc dst = pitchedNhwc(outC_, h, w, outPitch, dt::f32);
        const memory::desc weightsAny({outC_, inC_, 3, 3}, type, tag::any);
        const memory::desc biasDesc({outC_}, dt::f32, tag::a);
        dnnl::primitive_attr attr;
        dnnl::post_ops ops;
        if (act == Activation::Leaky) ops.append_eltwise(dnnl::algorithm::eltwise_relu, slope, 0.f);
        if (act == Activation::Prelu) ops.append_prelu(1 << 1);  // one slope per channel (dimension 1)
        attr.set_post_ops(ops);
        if (mode_ == OneDnnMode::Fp32MathBf16) attr.set_fpmath_mode(dnnl::fpmath_mode::bf16);
        auto make = [&](const memory::desc& s, const memory::desc& d) {
            return dnnl::convolution_forward::primitive_desc(engine_, dnnl::prop_kind::forward_inference,
                                                             dnnl::algorithm::convolution_direct, s, weightsAny, biasDesc, d, {1, 1},
                                                             {0, 0}, {1, 1}, {1, 1}, attr);
        };
        // oneDNN's fast (jit/brgemm) convolutions take dense NHWC only: for a pitched view it
        // offers its reference implementation, about 500x slower. Then the layer runs on dense
        // buffers of oneDNN's choice, with reorders to and from the views (as the runner's
        // densified() copy does today).
        dnnl::convolution_forward::primitive_desc pd;
        bool fast = false;
        try {
            pd = make(src, dst);
            fast = std::string(pd.impl_info_str()).find("ref") == std::string::npos;
        } catch (const dnnl::error&) {
        }
        if (!fast) pd = make(memory::desc({1, inC_, h, w}, type, tag::any), memory::desc({1, outC_, h, w}, dt::f32, tag::any));
        Compiled c;
        c.conv = dnnl::convolution_forward(pd);
        c.srcDesc = pd.src_desc();
        c.dstDesc = pd.dst_desc();
        c.impl = pd.impl_info_str();
        memory user({{outC_, inC_, 3, 3}, dt::f32, tag::oihw}, engine_, const_cast<float*>(weightsOihw_.data()));
        c.weights = memory(pd.weights_desc(), engine_);
        dnnl::reorder(user, c.weights).execute(stream_, user, c.weights);
        c.bias = memory(biasDesc, engine_);
        std::memcpy(c.bias.get_data_handle(), bias_.data(), sizeof(float) * outC_);
        stream_.wait();
        return cache_.emplace(key, std::move(c)).first->second;
    }

    OneDnnMode mode_;
    int inC_, outC_;
    mutable dnnl::engine engine_;
    mutable dnnl::stream stream_;
    std::vector<float> weightsOihw_, bias_;
    mutable std::mutex mutex_;
    mutable std::map<std::tuple<int, int, int, int, int, float>, Compiled> cache_;
};

}  // namespace

const char* oneDnnModeName(OneDnnMode mode) {
    switch (mode) {
        case OneDnnMode::Fp32: return "fp32";
        case OneDnnMode::Bf16: return "bf16";
        case OneDnnMode::Fp32MathBf16: return "fp32-fpmath-bf16";
    }
    return "?";
}

std::unique_ptr<Conv3x3Kernel> makeOneDnnConv3x3(OneDnnMode mode, int inC, int outC, const float* weightsOIHW, const float* bias) {
    return std::make_unique<OneDnnConv3x3>(mode, inC, outC, weightsOIHW, bias);
}

}  // namespace esrgan::cpu
