#pragma once
#include <memory>
#include <mutex>
#include <vector>

#include "backend/backend.h"
#include "cpu/cpu_engine.h"
#include "cpu/cpu_op.h"
#include "runner/options.h"

namespace esrgan {

class Network;

// Runs a Network on the host's cores: each layer through the CPU op table (cpu/op_table.cpp), blobs
// channels-last in the buffers that the execution plan lays out (kept between passes of the same or a
// smaller shape until trim()).
class CpuBackend : public Backend {
public:
    CpuBackend(const Network& net, Precision precision);
    ~CpuBackend() override;

    std::string name() const override;
    std::string unsupported(const Layer& layer) const override;
    void prepare() override;
    Tensor forward(const Tensor& input, const std::function<void()>& afterLayer) override;
    uint64_t passBytes(const Shape& input) const override;
    bool fits(const Shape&) const override { return true; }
    uint64_t memoryBudget(const UpscaleOptions& options) const override;
    bool onHost() const override { return true; }
    void trim() override;

private:
    const Network& net_;
    Precision precision_;
    CpuEngine engine_;
    std::vector<std::unique_ptr<CpuKernel>> kernels_;  // per layer; null for Input and Split
    std::mutex mutex_;
    std::vector<std::shared_ptr<float>> slots_;
    std::vector<uint64_t> slotElements_;
};

}  // namespace esrgan
