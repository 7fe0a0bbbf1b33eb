#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

namespace esrgan {

struct Shape {
    int c = 0, h = 0, w = 0;
    bool operator==(const Shape& o) const { return c == o.c && h == o.h && w == o.w; }
    bool operator!=(const Shape& o) const { return !(*this == o); }
};

// A (c, h, w) float blob stored channels-last (NHWC): [h][w][c]. That is the layout oneDNN's
// fastest CPU convolutions read and write, so convolutions need no reorders.
// Copies share storage (Split is an alias). A view of the first channels of a wider tensor has a
// pitch (floats from one pixel to the next) larger than c; only layers that accept views get one.
class Tensor {
public:
    Tensor() = default;
    static Tensor zeros(const Shape& shape);
    static Tensor uninitialized(const Shape& shape);
    // A (possibly strided) window into `storage`: `shape` pixels starting `offset` floats in, `pitch`
    // floats from one pixel to the next (pitch >= shape.c). Shares the storage.
    static Tensor view(std::shared_ptr<float> storage, size_t offset, const Shape& shape, int pitch);
    // A dense copy that shares nothing with this tensor.
    Tensor copy() const;

    const Shape& shape() const { return shape_; }
    int c() const { return shape_.c; }
    int h() const { return shape_.h; }
    int w() const { return shape_.w; }
    size_t pixels() const { return static_cast<size_t>(shape_.h) * shape_.w; }
    size_t size() const { return pixels() * shape_.c; }  // for dense tensors: the element count
    bool empty() const { return data_ == nullptr; }
    int pitch() const { return pitch_; }
    bool dense() const { return pitch_ == shape_.c; }
    // This tensor if dense, else a dense copy.
    Tensor densified() const;

    float* data() { return data_; }
    const float* data() const { return data_; }
    float* pixel(int y, int x) { return data_ + (static_cast<size_t>(y) * shape_.w + x) * pitch_; }
    const float* pixel(int y, int x) const { return data_ + (static_cast<size_t>(y) * shape_.w + x) * pitch_; }

    float& at(int ch, int y, int x) { return pixel(y, x)[ch]; }
    float at(int ch, int y, int x) const { return pixel(y, x)[ch]; }

private:
    Shape shape_;
    int pitch_ = 0;
    std::shared_ptr<float> storage_;
    float* data_ = nullptr;
};

// Float storage for tensors and buffers: 64-byte aligned; large ones 2 MiB aligned and advised to
// use transparent huge pages (fewer TLB misses on the strided reads of big blobs).
std::shared_ptr<float> allocateFloats(size_t count);

// Copies all channels of `src` into channels [offset, offset + src.c()) of `dst` (same h, w).
void copyChannels(const Tensor& src, Tensor& dst, int offset);

// Converts between planar CHW floats and the tensor layout.
Tensor fromPlanar(const float* chw, const Shape& shape);
void toPlanar(const Tensor& t, float* chw);

}  // namespace esrgan
