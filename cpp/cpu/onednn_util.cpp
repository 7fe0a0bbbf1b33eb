#include "cpu/onednn_util.h"

#include <cmath>

namespace esrgan {

dnnl::memory::desc channelsLastDesc(const Shape& s) {
    return dnnl::memory::desc({1, s.c, s.h, s.w}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::nhwc);
}

dnnl::post_ops activationPostOps(const FusedActivation& a) {
    dnnl::post_ops postOps;
    using alg = dnnl::algorithm;
    switch (a.type) {
        case 1: postOps.append_eltwise(alg::eltwise_relu, 0.f, 0.f); break;
        case 2: postOps.append_eltwise(alg::eltwise_relu, a.param(0, 0.f), 0.f); break;
        case 3: postOps.append_eltwise(alg::eltwise_clip, a.param(0, -INFINITY), a.param(1, INFINITY)); break;
        case 4: postOps.append_eltwise(alg::eltwise_logistic, 0.f, 0.f); break;
        case 5: postOps.append_eltwise(alg::eltwise_mish, 0.f, 0.f); break;
        case 6: postOps.append_eltwise(alg::eltwise_hardswish, a.param(0, 0.2f), a.param(1, 0.5f)); break;
        default: break;
    }
    return postOps;
}

}  // namespace esrgan
