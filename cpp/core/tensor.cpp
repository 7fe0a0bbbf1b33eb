#include "core/tensor.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace esrgan {

std::shared_ptr<float> allocateFloats(size_t floats) {
    constexpr size_t kHugePage = size_t(2) << 20;
    const size_t bytes = floats * sizeof(float);
    const size_t align = bytes >= kHugePage ? kHugePage : 64;
    const size_t rounded = bytes == 0 ? align : (bytes + align - 1) / align * align;
    void* p = std::aligned_alloc(align, rounded);
    if (!p) throw std::bad_alloc();
    if (align == kHugePage) madvise(p, rounded, MADV_HUGEPAGE);  // advice only: failure changes nothing
    return std::shared_ptr<float>(static_cast<float*>(p), [](float* q) { std::free(q); });
}

Tensor Tensor::zeros(const Shape& shape) {
    Tensor t = uninitialized(shape);
    std::memset(t.data_, 0, t.size() * sizeof(float));
    return t;
}

Tensor Tensor::uninitialized(const Shape& shape) {
    Tensor t;
    t.shape_ = shape;
    t.pitch_ = shape.c;
    t.storage_ = allocateFloats(t.size());
    t.data_ = t.storage_.get();
    return t;
}

Tensor Tensor::view(std::shared_ptr<float> storage, size_t offset, const Shape& shape, int pitch) {
    Tensor t;
    t.shape_ = shape;
    t.pitch_ = pitch;
    t.storage_ = std::move(storage);
    t.data_ = t.storage_.get() + offset;
    return t;
}

Tensor Tensor::copy() const {
    Tensor out = uninitialized(shape_);
    copyChannels(*this, out, 0);
    return out;
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
