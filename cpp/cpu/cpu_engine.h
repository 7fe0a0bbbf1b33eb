#pragma once
#include <oneapi/dnnl/dnnl.hpp>

namespace esrgan {

// The oneDNN CPU engine and stream that all convolutions of one network run on.
class CpuEngine {
public:
    CpuEngine() : engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {}
    dnnl::engine& engine() { return engine_; }
    dnnl::stream& stream() { return stream_; }

    // Threads used by oneDNN and our own OpenMP loops; 0 = all cores.
    static void setThreads(int threads);
    static int hardwareThreads();

private:
    dnnl::engine engine_;
    dnnl::stream stream_;
};

}  // namespace esrgan
