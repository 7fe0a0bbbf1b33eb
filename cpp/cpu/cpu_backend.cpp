#include "cpu/cpu_backend.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "core/errors.h"
#include "cpu/ops/cpu_ops.h"
#include "graph/network.h"
#include "ops/convolution.h"
#include "ops/elementwise.h"
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

namespace {
cpu::Isa isaOrExplain() {
    try {
        return cpu::activeIsa();
    } catch (const std::invalid_argument& e) {
        throw InvalidArgument(std::string("MC_CPU_ISA: ") + e.what());
    }
}
}  // namespace

// fp16 is a GPU storage format; on the CPU it means the default.
CpuBackend::CpuBackend(const Network& net, Precision precision)
    : net_(net), precision_(precision == Precision::Fp16 ? Precision::Auto : precision), isa_(isaOrExplain()) {}

CpuBackend::~CpuBackend() = default;

std::string CpuBackend::name() const {
    std::string text = std::string("CPU (") + cpu::isaName(isa_) + ", " + precisionName(precision_ == Precision::Auto ? Precision::Fp32 : precision_);
    // Which convolution kernels run, most used first: what -v shows.
    std::map<std::string, int> uses;
    for (const auto& k : kernels_)
        if (k && !k->describe().empty()) uses[k->describe()]++;
    std::vector<std::pair<int, std::string>> sorted;
    for (const auto& [what, n] : uses) sorted.emplace_back(-n, what);
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i) text += (i == 0 ? "; " : ", ") + std::to_string(-sorted[i].first) + " x " + sorted[i].second;
    if (fusedPrelus_ > 0) text += "; " + std::to_string(fusedPrelus_) + " PReLU fused into convolutions";
    return text + ")";
}

std::string CpuBackend::unsupported(const Layer& layer) const {
    const CpuOp& op = cpuOp(layer.kind());
    if (op.unsupported) return op.unsupported(layer);
    if (!op.make && layer.kind() != OpKind::Input && layer.kind() != OpKind::Split) return "it has no CPU implementation";
    return "";
}

void CpuBackend::prepare() {
    const ExecutionPlan& plan = net_.plan();
    const int layers = static_cast<int>(net_.layerCount());
    // PReLU layers that the convolution before them applies (the plan runs them in place, on their input's storage).
    std::vector<std::vector<float>> fused(layers);
    std::vector<char> skip(layers, 0);
    for (int i = 0; i < layers; ++i) {
        if (net_.layer(i).kind() != OpKind::PReLU) continue;
        const int in = net_.layerBottoms(i)[0], out = net_.layerTops(i)[0], p = plan.producer(in);
        if (p < 0 || plan.root(out) != plan.root(in) || net_.layer(p).kind() != OpKind::Convolution || !cpuops::canFusePrelu(net_.layer(p)))
            continue;
        const auto& slopes = static_cast<const PReluLayer&>(net_.layer(i)).slopes();
        const int channels = static_cast<const ConvolutionLayer&>(net_.layer(p)).outputChannels();
        fused[p] = slopes.size() == 1 ? std::vector<float>(channels, slopes[0]) : slopes;
        skip[i] = 1;
        ++fusedPrelus_;
    }
    kernels_.resize(layers);
    for (int i = 0; i < layers; ++i) {
        const Layer& layer = net_.layer(i);
        const CpuOp& op = cpuOp(layer.kind());
        if (!op.make || skip[i]) continue;
        CpuKernelContext context;
        context.engine = &engine_;
        context.isa = isa_;
        context.precision = precision_;
        context.concatCopies = plan.concatCopies(i);
        context.fusedPrelu = fused[i];
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
