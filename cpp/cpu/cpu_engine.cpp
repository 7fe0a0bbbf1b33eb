#include "cpu/cpu_engine.h"

#include <cstdlib>

#include "core/threads.h"
#include "cpu/winograd3x3.h"

namespace esrgan {

std::string CpuEngine::describe() {
    const dnnl_version_t* v = dnnl_version();
    const std::string onednn = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
    const char* forced = std::getenv("MC_CONV");
    const bool winograd = winograd::cpuSupported() && !(forced && std::string(forced) == "onednn");
    const std::string kernels = winograd ? "Winograd F(4,3) AVX2 + " + onednn : onednn;
    return kernels + ", " + std::to_string(hardwareThreads()) + " threads";
}

}  // namespace esrgan
