// CPU Concat: the plan places most inputs straight into the output's channel ranges; this copies the
// rest (an input listed twice, or one whose range another writer owns).
#include "cpu/ops/cpu_ops.h"

namespace esrgan::cpuops {

namespace {

class ConcatKernel : public CpuKernel {
public:
    explicit ConcatKernel(std::vector<int> copies) : copies_(std::move(copies)) {}

    void run(const std::vector<Tensor>& inputs, Tensor& out) const override {
        int channel = 0;
        size_t next = 0;
        for (size_t k = 0; k < inputs.size(); ++k) {
            if (next < copies_.size() && copies_[next] == static_cast<int>(k)) {
                ++next;
                copyChannels(inputs[k], out, channel);
            }
            channel += inputs[k].c();
        }
    }

private:
    std::vector<int> copies_;
};

}  // namespace

std::unique_ptr<CpuKernel> concat(const Layer&, const CpuKernelContext& context) { return std::make_unique<ConcatKernel>(context.concatCopies); }

}  // namespace esrgan::cpuops
