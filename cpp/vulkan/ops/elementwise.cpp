// Vulkan Eltwise, BinaryOp and PReLU: one invocation per element, work groups of 256.
#include "ops/elementwise.h"
#include "vulkan/ops/vk_ops.h"

namespace esrgan::vk::ops {

namespace {
constexpr int kLinearLocal = 256;
}

void eltwise(StepContext& ctx) {
    const auto& e = static_cast<const EltwiseLayer&>(ctx.layer());
    const std::vector<int>& bottoms = ctx.bottoms();
    const int top = ctx.top();
    const Shape& os = ctx.shape(top);
    const uint64_t plane = static_cast<uint64_t>(os.h) * os.w;
    const std::vector<float> coeffs = e.coeffs().empty() ? std::vector<float>(bottoms.size(), 1.f) : e.coeffs();
    // Pairwise: out = in0 (op) in1, then out = out (op) in_k.
    for (size_t k = 1; k < bottoms.size(); ++k) {
        const int a = k == 1 ? bottoms[0] : top;
        Push p;
        p.i(ctx.offset(a)).i(ctx.offset(bottoms[k])).i(ctx.offset(top)).i(static_cast<int64_t>(plane)).i(e.op());
        p.f(k == 1 ? coeffs[0] : 1.f).f(coeffs[k]);
        ctx.add("eltwise", {}, ctx.slot(a), ctx.slot(bottoms[k]), ctx.slot(top), StepContext::unused(), p, divUp(plane, kLinearLocal), os.c, 1,
                static_cast<double>(plane) * os.c);
    }
}

void binaryOp(StepContext& ctx) {
    const auto& bin = static_cast<const BinaryOpLayer&>(ctx.layer());
    const std::vector<int>& bottoms = ctx.bottoms();
    const int top = ctx.top();
    const Shape& os = ctx.shape(top);
    const uint64_t plane = static_cast<uint64_t>(os.h) * os.w;
    Push p;
    int second = bottoms[0];
    int mode = 3;  // scalar
    if (!bin.withScalar()) {
        second = bottoms[1];
        const Shape& as = ctx.shape(bottoms[0]);
        const Shape& bs = ctx.shape(bottoms[1]);
        mode = as == bs ? 0 : (bs.h == 1 && bs.w == 1 ? 1 : 2);
    }
    p.i(ctx.offset(bottoms[0])).i(ctx.offset(second)).i(ctx.offset(top)).i(static_cast<int64_t>(plane)).i(bin.op()).i(mode);
    p.f(bin.withScalar() ? bin.scalar() : 0.f);
    ctx.add("binary", {}, ctx.slot(bottoms[0]), ctx.slot(second), ctx.slot(top), StepContext::unused(), p, divUp(plane, kLinearLocal), os.c, 1,
            static_cast<double>(plane) * os.c);
}

std::vector<float> packPrelu(const Layer& layer) { return static_cast<const PReluLayer&>(layer).slopes(); }

void prelu(StepContext& ctx) {
    const auto& prelu = static_cast<const PReluLayer&>(ctx.layer());
    const int in = ctx.bottoms()[0], top = ctx.top();
    const Shape& os = ctx.shape(top);
    const uint64_t plane = static_cast<uint64_t>(os.h) * os.w;
    Push p;
    p.i(ctx.offset(in)).i(ctx.offset(top)).i(static_cast<int64_t>(plane)).i(ctx.weightOffset()).i(prelu.slopes().size() == 1 ? 1 : 0);
    ctx.add("prelu", {}, ctx.slot(in), StepContext::unused(), ctx.slot(top), ctx.weightChunk(), p, divUp(plane, kLinearLocal), os.c, 1,
            static_cast<double>(plane) * os.c);
}

}  // namespace esrgan::vk::ops
