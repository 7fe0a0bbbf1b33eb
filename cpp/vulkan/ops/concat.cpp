// Vulkan Concat: producers write into the output's channel ranges (the plan's placement); the inputs
// the plan could not place are copied.
#include "vulkan/ops/vk_ops.h"

namespace esrgan::vk::ops {

namespace {
constexpr int kLinearLocal = 256;
}

void concat(StepContext& ctx) {
    const std::vector<int>& bottoms = ctx.bottoms();
    const std::vector<int>& copies = ctx.concatCopies();
    const int top = ctx.top();
    const Shape& os = ctx.shape(top);
    const uint64_t plane = static_cast<uint64_t>(os.h) * os.w;
    long channel = 0;
    size_t next = 0;
    for (size_t k = 0; k < bottoms.size(); ++k) {
        const int c = ctx.shape(bottoms[k]).c;
        if (next < copies.size() && copies[next] == static_cast<int>(k)) {
            ++next;
            Push p;
            p.i(ctx.offset(bottoms[k])).i(ctx.offset(top) + static_cast<int64_t>(channel * plane)).i(static_cast<int64_t>(plane));
            ctx.add("copy", {}, ctx.slot(bottoms[k]), StepContext::unused(), ctx.slot(top), StepContext::unused(), p, divUp(plane, kLinearLocal),
                    c, 1, static_cast<double>(plane) * c);
        }
        channel += c;
    }
}

}  // namespace esrgan::vk::ops
