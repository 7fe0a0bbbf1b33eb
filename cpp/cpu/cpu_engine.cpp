#include "cpu/cpu_engine.h"

#include <stdexcept>

#include "core/threads.h"
#include "cpu/isa.h"

namespace esrgan {

std::string CpuEngine::describe() {
    const dnnl_version_t* v = dnnl_version();
    const std::string onednn = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
    std::string isa;
    try {
        isa = cpu::isaName(cpu::activeIsa());
    } catch (const std::invalid_argument& e) {
        isa = std::string("MC_CPU_ISA is invalid: ") + e.what();
    }
    const std::string detected = cpu::isaName(cpu::detectedIsa());
    return isa + (isa == detected ? "" : " (the CPU has " + detected + ")") + " kernels + " + onednn + ", " + std::to_string(hardwareThreads()) +
           " threads";
}

}  // namespace esrgan
