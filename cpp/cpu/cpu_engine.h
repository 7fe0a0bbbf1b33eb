#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#include <string>

namespace esrgan {

// The oneDNN CPU engine and stream that the convolutions of one CPU backend run on.
class CpuEngine {
public:
    CpuEngine() : engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {}
    dnnl::engine& engine() { return engine_; }
    dnnl::stream& stream() { return stream_; }

    // One line for `devices` and -v: the kernels this CPU runs, the oneDNN version, threads.
    static std::string describe();

private:
    dnnl::engine engine_;
    dnnl::stream stream_;
};

}  // namespace esrgan
