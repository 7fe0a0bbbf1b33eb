#include "cpu/cpu_backend.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "core/errors.h"
#include "graph/network.h"
#include "runner/tile_plan.h"

namespace esrgan {

namespace {

// MC_PROFILE=1 prints the time spent per layer type after each forward pass (to stderr).
struct LayerProfile {
    bool enabled = std::getenv("MC_PROFILE") != nullptr;
    std::map<std::string, std::pair<double, int>> byType;
    void add(const char* type, std::chrono::steady_clock::time_point start) {
        auto& slot = byType[type];
        slot.first += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        slot.second++;
    }
    ~LayerProfile() {
        if (!enabled) return;
        for (const auto& kv : byType)
            std::fprintf(stderr, "mc-profile %-14s %5d layers %9.3f s\n", kv.first.c_str(), kv.second.second, kv.second.first);
    }
};

}  // namespace

CpuBackend::CpuBackend(const Network& net, Precision precision) : net_(net), precision_(precision) {
    if (precision == Precision::Bf16) throw InvalidArgument("bf16 precision is not available on the CPU yet; use fp32 or auto");
}

CpuBackend::~CpuBackend() = default;

std::string CpuBackend::name() const { return "CPU (" + CpuEngine::describe() + ", " + precisionName(precision_ == Precision::Auto ? Precision::Fp32 : precision_) + ")"; }

std::string CpuBackend::unsupported(const Layer& layer) const {
    const CpuOp& op = cpuOp(layer.kind());
    if (op.unsupported) return op.unsupported(layer);
    if (!op.make && layer.kind() != OpKind::Input && layer.kind() != OpKind::Split) return "it has no CPU implementation";
    return "";
}

void CpuBackend::prepare() {
    kernels_.resize(net_.layerCount());
    for (size_t i = 0; i < net_.layerCount(); ++i) {
        const Layer& layer = net_.layer(i);
        const CpuOp& op = cpuOp(layer.kind());
        if (!op.make) continue;
        CpuKernelContext context;
        context.engine = &engine_;
        context.precision = precision_;
        context.concatCopies = net_.plan().concatCopies(static_cast<int>(i));
        try {
            kernels_[i] = op.make(layer, context);
        } catch (const dnnl::error& e) {
            throw BackendError(ErrorCode::Backend, "oneDNN failed preparing " + layer.describe() + ": " + e.what());
        }
    }
}

uint64_t CpuBackend::passBytes(const Shape& input) const {
    const ExecutionPlan::Memory memory = net_.plan().memory(net_.blobShapes(input));
    // A layer may also hold a dense copy of an input window or a temporary output (oneDNN, views).
    uint64_t largestBlob = 0;
    for (const Shape& s : memory.shapes) largestBlob = std::max<uint64_t>(largestBlob, static_cast<uint64_t>(s.c) * s.h * s.w);
    return (memory.totalElements() + 2 * largestBlob) * sizeof(float);
}

uint64_t CpuBackend::memoryBudget(const UpscaleOptions& options) const { return memoryBudgetBytes(options); }

void CpuBackend::trim() {
    std::lock_guard<std::mutex> lock(mutex_);
    slots_.clear();
    slotElements_.clear();
}

Tensor CpuBackend::forward(const Tensor& input, const std::function<void()>& afterLayer) {
    net_.checkInput(input.shape());
    std::lock_guard<std::mutex> lock(mutex_);
    LayerProfile profile;
    const ExecutionPlan& plan = net_.plan();
    const ExecutionPlan::Memory memory = plan.memory(net_.blobShapes(input.shape()));
    if (slots_.size() < memory.slotElements.size()) {
        slots_.resize(memory.slotElements.size());
        slotElements_.resize(memory.slotElements.size(), 0);
    }
    for (size_t s = 0; s < memory.slotElements.size(); ++s)
        if (slotElements_[s] < memory.slotElements[s]) {
            slots_[s].reset();  // free before allocating the larger one
            slots_[s] = allocateFloats(memory.slotElements[s]);
            slotElements_[s] = memory.slotElements[s];
        }
    auto view = [&](int blob) {
        const ExecutionPlan::View& v = memory.views[blob];
        return Tensor::view(slots_[v.slot], static_cast<size_t>(v.channel), memory.shapes[blob], v.groupChannels);
    };
    {
        Tensor in = view(net_.inputBlobIndex());
        copyChannels(input, in, 0);
    }
    try {
        for (size_t i = 0; i < net_.layerCount(); ++i) {
            if (kernels_[i]) {
                const auto start = std::chrono::steady_clock::now();
                std::vector<Tensor> ins;
                for (int b : net_.layerBottoms(i)) ins.push_back(view(b));
                Tensor out = view(net_.layerTops(i)[0]);
                kernels_[i]->run(ins, out);
                if (profile.enabled) profile.add(net_.layer(i).type(), start);
            }
            if (afterLayer) afterLayer();
        }
    } catch (const dnnl::error& e) {
        throw BackendError(ErrorCode::Backend, std::string("oneDNN failed: ") + e.what());
    }
    return view(net_.outputBlobIndex()).copy();
}

}  // namespace esrgan
