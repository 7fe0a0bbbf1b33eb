// Vulkan Interp, PixelShuffle and Reorg: one invocation per output pixel and channel, 16x16 groups.
#include "ops/spatial.h"
#include "vulkan/ops/vk_ops.h"

namespace esrgan::vk::ops {

namespace {
constexpr int kImageLocal = 16;
}

void interp(StepContext& ctx) {
    const auto& interp = static_cast<const InterpLayer&>(ctx.layer());
    const int in = ctx.bottoms()[0], top = ctx.top();
    const Shape& is = ctx.shape(in);
    const Shape& os = ctx.shape(top);
    ResampleTaps ty, tx;
    interp.resampleTaps(is, ty, tx);
    const int64_t yOff = ctx.appendTaps(ty), xOff = ctx.appendTaps(tx);
    Push p;
    p.i(ctx.offset(in)).i(ctx.offset(top)).i(is.w).i(is.h).i(os.w).i(os.h).i(ty.taps).i(tx.taps).i(yOff).i(xOff);
    ctx.add("interp", {}, ctx.slot(in), StepContext::aux(), ctx.slot(top), StepContext::unused(), p, divUp(os.w, kImageLocal),
            divUp(os.h, kImageLocal), os.c, static_cast<double>(os.h) * os.w * os.c * ty.taps * tx.taps);
}

void pixelShuffle(StepContext& ctx) {
    const auto& ps = static_cast<const PixelShuffleLayer&>(ctx.layer());
    const int in = ctx.bottoms()[0], top = ctx.top();
    const Shape& os = ctx.shape(top);
    Push p;
    p.i(ctx.offset(in)).i(ctx.offset(top)).i(os.w).i(os.h).i(os.c).i(ps.factor()).i(ps.mode());
    ctx.add("pixelshuffle", {}, ctx.slot(in), StepContext::unused(), ctx.slot(top), StepContext::unused(), p, divUp(os.w, kImageLocal),
            divUp(os.h, kImageLocal), os.c, static_cast<double>(os.h) * os.w * os.c);
}

void reorg(StepContext& ctx) {
    const auto& reorg = static_cast<const ReorgLayer&>(ctx.layer());
    const int in = ctx.bottoms()[0], top = ctx.top();
    const Shape& os = ctx.shape(top);
    Push p;
    p.i(ctx.offset(in)).i(ctx.offset(top)).i(os.w).i(os.h).i(ctx.shape(in).c).i(reorg.stride()).i(reorg.mode());
    ctx.add("reorg", {}, ctx.slot(in), StepContext::unused(), ctx.slot(top), StepContext::unused(), p, divUp(os.w, kImageLocal),
            divUp(os.h, kImageLocal), os.c, static_cast<double>(os.h) * os.w * os.c);
}

}  // namespace esrgan::vk::ops
