#include "core/tensor.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace esrgan {

namespace {
std::shared_ptr<float> allocate(size_t floats) {
    size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, bytes == 0 ? 64 : bytes);
    if (!p) throw std::bad_alloc();
    return std::shared_ptr<float>(static_cast<float*>(p), [](float* q) { std::free(q); });
}
}  // namespace

Tensor Tensor::zeros(const Shape& shape) {
    Tensor t = uninitialized(shape);
    std::memset(t.data_, 0, t.size() * sizeof(float));
    return t;
}

Tensor Tensor::uninitialized(const Shape& shape) {
    Tensor t;
    t.shape_ = shape;
    t.pitch_ = shape.c;
    t.storage_ = allocate(t.size());
    t.data_ = t.storage_.get();
    return t;
}

Tensor Tensor::channelPrefix(const Tensor& base, int channels) {
    Tensor t = base;
    t.shape_.c = channels;
    return t;
}

Tensor Tensor::densified() const {
    if (dense()) return *this;
    Tensor out = uninitialized(shape_);
    const long n = static_cast<long>(pixels());
    const int c = shape_.c;
#pragma omp parallel for schedule(static)
    for (long p = 0; p < n; ++p) std::memcpy(out.data_ + p * c, data_ + p * pitch_, c * sizeof(float));
    return out;
}

void copyChannels(const Tensor& src, Tensor& dst, int offset) {
    const long n = static_cast<long>(src.pixels());
    const int c = src.c(), srcPitch = src.pitch(), dstPitch = dst.pitch();
    const float* s = src.data();
    float* d = dst.data() + offset;
#pragma omp parallel for schedule(static)
    for (long p = 0; p < n; ++p) std::memcpy(d + p * dstPitch, s + p * srcPitch, c * sizeof(float));
}

Tensor fromPlanar(const float* chw, const Shape& shape) {
    Tensor t = Tensor::uninitialized(shape);
    const size_t plane = t.pixels();
    for (size_t i = 0; i < plane; ++i)
        for (int c = 0; c < shape.c; ++c) t.data()[i * shape.c + c] = chw[c * plane + i];
    return t;
}

void toPlanar(const Tensor& t, float* chw) {
    const size_t plane = t.pixels();
    for (size_t i = 0; i < plane; ++i)
        for (int c = 0; c < t.c(); ++c) chw[c * plane + i] = t.data()[i * t.pitch() + c];
}

}  // namespace esrgan
