#pragma once
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <utility>

namespace esrgan::cpu {

// Memory for tensors and kernel scratch: 64-byte aligned. From kHugePageBytes up (unless told
// otherwise) it is mapped on 2 MiB boundaries and advised MADV_HUGEPAGE, so that with transparent
// huge pages in "madvise" mode (Debian's default) a large tensor is backed by 2 MiB pages: 512x
// fewer page faults when it is first written and far fewer TLB misses when a convolution walks
// it with a wide pixel pitch. Where the kernel refuses the advice the memory is simply 4 KiB pages.
enum class HugePages { Auto, Never };

constexpr size_t kHugePageBytes = size_t{2} << 20;

class AlignedBuffer {
public:
    AlignedBuffer() = default;
    explicit AlignedBuffer(size_t bytes, HugePages huge = HugePages::Auto) { allocate(bytes, huge); }
    AlignedBuffer(AlignedBuffer&& o) noexcept { swap(o); }
    AlignedBuffer& operator=(AlignedBuffer&& o) noexcept {
        AlignedBuffer(std::move(o)).swap(*this);
        return *this;
    }
    AlignedBuffer(const AlignedBuffer&) = delete;
    AlignedBuffer& operator=(const AlignedBuffer&) = delete;
    ~AlignedBuffer() { release(); }

    void* data() const { return data_; }
    template <class T>
    T* as() const {
        return static_cast<T*>(data_);
    }
    size_t size() const { return bytes_; }
    bool hugePageAdvised() const { return mapped_; }

    void swap(AlignedBuffer& o) noexcept {
        std::swap(data_, o.data_);
        std::swap(bytes_, o.bytes_);
        std::swap(mapped_, o.mapped_);
        std::swap(mappedBytes_, o.mappedBytes_);
    }

private:
    void allocate(size_t bytes, HugePages huge) {
        bytes_ = bytes;
        if (huge == HugePages::Auto && bytes >= kHugePageBytes) {
            // Map one huge page more than needed, then trim to a 2 MiB aligned range.
            const size_t rounded = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
            void* raw = mmap(nullptr, rounded + kHugePageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (raw == MAP_FAILED) throw std::bad_alloc();
            const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
            const uintptr_t aligned = (start + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
            if (aligned > start) munmap(raw, aligned - start);
            const uintptr_t end = start + rounded + kHugePageBytes;
            if (end > aligned + rounded) munmap(reinterpret_cast<void*>(aligned + rounded), end - (aligned + rounded));
            data_ = reinterpret_cast<void*>(aligned);
            madvise(data_, rounded, MADV_HUGEPAGE);
            mapped_ = true;
            mappedBytes_ = rounded;
            return;
        }
        data_ = std::aligned_alloc(64, bytes == 0 ? 64 : (bytes + 63) / 64 * 64);
        if (!data_) throw std::bad_alloc();
    }
    void release() {
        if (!data_) return;
        if (mapped_) munmap(data_, mappedBytes_);
        else std::free(data_);
        data_ = nullptr;
    }

    void* data_ = nullptr;
    size_t bytes_ = 0;
    bool mapped_ = false;
    size_t mappedBytes_ = 0;
};

// A float array in an AlignedBuffer behind a shared_ptr, the way Tensor holds its storage.
inline std::shared_ptr<float> sharedAlignedFloats(size_t floats, HugePages huge = HugePages::Auto) {
    auto buffer = std::make_shared<AlignedBuffer>(floats * sizeof(float), huge);
    float* p = buffer->as<float>();
    return std::shared_ptr<float>(std::move(buffer), p);
}

}  // namespace esrgan::cpu
