#pragma once
#include <atomic>
#include <mutex>
#include <string>
#include <cstdint>

namespace esrgan {

// How a backend stores and multiplies. Vulkan: fp32 or fp16 storage of blobs and weights, fp32
// arithmetic either way (Auto: fp16 where it pays and the device has 16-bit storage). CPU: fp32, or
// bf16 products with fp32 accumulation (opt-in; Auto is the fastest fp32-grade path). The numbers
// cross JNI: never renumber.
enum class Precision { Auto = 0, Fp32 = 1, Fp16 = 2, Bf16 = 3 };
const char* precisionName(Precision p);

struct UpscaleOptions {
    int tileSize = 0;          // LR pixels per tile side; 0 = automatic from the memory budget
    int tilePad = -1;          // halo of real neighbours per tile side; -1 = from the model's receptive field
    int prePad = 10;           // mirrored (reflect-101) padding around the image border
    bool tta = false;          // average the 8 flips/transposes
    int threads = 0;           // 0 = all cores
    int64_t memoryBudgetMb = 0;  // 0 = half the available memory, at most 4 GiB
};

// Shared between the thread that runs a job and the threads that watch or cancel it.
struct Progress {
    std::atomic<int64_t> done{0};
    std::atomic<int64_t> total{0};
    std::atomic<int> tilesDone{0};
    std::atomic<int> tilesTotal{0};
    std::atomic<bool> cancelRequested{false};
    // Tiles finished per device, indexed by device + 1 (0 = CPU, 1.. = Vulkan device 0..).
    static constexpr int kMaxDevices = 64;
    std::atomic<int> tilesByDevice[kMaxDevices] = {};
    // Warnings for the caller (e.g. a GPU failed and the CPU finished its tiles), one per line.
    void warn(const std::string& message) {
        std::lock_guard<std::mutex> lock(warningMutex);
        if (!warnings.empty()) warnings += "\n";
        warnings += message;
    }
    std::string warningText() {
        std::lock_guard<std::mutex> lock(warningMutex);
        return warnings;
    }
    std::mutex warningMutex;
    std::string warnings;
};

}  // namespace esrgan
