// conv3x3 kernel benchmark: every kernel of ours for this CPU (cpu/conv3x3.h) against oneDNN's
// direct convolution in fp32, bf16 and fp32-with-bf16-math (cpu/onednn_conv3x3.h), on the 3x3
// shapes of Real-ESRGAN models with the pixel pitches the runner gives them, printing GMAC/s,
// the ratio to oneDNN fp32 and the error against a double-precision reference. Not built by default:
//   cmake --build <build> --target conv3x3_bench
//   <build>/cpp/conv3x3_bench [--size N] [--rounds R] [--threads T] [--shapes IN:OUT[:INPITCH[:OUTPITCH]],...] [--only PATH]
//   <build>/cpp/conv3x3_bench --scaling [--sides 148,276,532,1044] [--shapes ...]
// --scaling times the chosen kernel and oneDNN fp32 on one layer at growing sides, in ns per output
// pixel, with buffers reused (warm) or freshly allocated per call as the runner does, in 4 KiB
// pages or huge-page advised (cpu/aligned_buffer.h): how much of a per-pixel cost that grows
// with the image is in the kernel and how much is page faults and TLB misses.
#include <omp.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "cpu/aligned_buffer.h"
#include "cpu/conv3x3.h"
#include "cpu/isa.h"
#include "cpu/onednn_conv3x3.h"
#include "tests/conv_reference.h"

using namespace esrgan::cpu;
using esrgan::testing::ConvCase;

namespace {

struct Shape {
    int inC, outC, inPitch, outPitch;
    bool leaky;
    std::string label() const {
        std::string s = std::to_string(inC) + "->" + std::to_string(outC);
        if (inPitch != inC || outPitch != outC) s += " p" + std::to_string(inPitch) + "/" + std::to_string(outPitch);
        return s;
    }
};

// The 3x3 convolutions of realesrgan-x4plus (dense blocks read channel prefixes of a 192-channel
// concat buffer and write 32-channel ranges of it) and realesr-animevideov3 (64->64, 64->48).
const std::vector<Shape> kDefaultShapes = {
    {64, 32, 192, 192, true}, {96, 32, 192, 192, true}, {128, 32, 192, 192, true}, {160, 32, 192, 192, true},
    {192, 64, 192, 64, false}, {64, 64, 64, 64, true},  {64, 48, 64, 48, false},    {64, 3, 64, 3, false},
    {3, 64, 3, 64, false},     {32, 32, 32, 32, true},  {16, 16, 16, 16, true}};

std::vector<Shape> parseShapes(const std::string& list) {
    std::vector<Shape> shapes;
    size_t start = 0;
    while (start < list.size()) {
        size_t end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        Shape s{0, 0, 0, 0, true};
        const int n = std::sscanf(list.substr(start, end - start).c_str(), "%d:%d:%d:%d", &s.inC, &s.outC, &s.inPitch, &s.outPitch);
        if (n < 2 || s.inC < 1 || s.outC < 1) {
            std::fprintf(stderr, "conv3x3_bench: bad shape '%s' (expected IN:OUT[:INPITCH[:OUTPITCH]])\n", list.substr(start, end - start).c_str());
            std::exit(2);
        }
        if (n < 3) s.inPitch = s.inC;
        if (n < 4) s.outPitch = s.outC;
        shapes.push_back(s);
        start = end + 1;
    }
    return shapes;
}

std::vector<int> parseInts(const std::string& list) {
    std::vector<int> v;
    for (size_t start = 0; start < list.size();) {
        size_t end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        v.push_back(std::atoi(list.substr(start, end - start).c_str()));
        start = end + 1;
    }
    return v;
}

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// CPU seconds of the whole process. On a machine shared with other jobs, wall time measures
// them as much as us; CPU time divided by the threads does not, as long as idle OpenMP threads
// sleep instead of spinning (OMP_WAIT_POLICY=passive).
double cpuNow() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? NAN : v[v.size() / 2];
}

double best(const std::vector<double>& v) { return v.empty() ? NAN : *std::min_element(v.begin(), v.end()); }

void fillActivations(float* p, size_t pixels, int channels, int pitch, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.f, 1.f);
    for (size_t i = 0; i < pixels; ++i)
        for (int c = 0; c < channels; ++c) {
            const float v = normal(rng);
            p[i * pitch + c] = v > 0 ? v : 0.2f * v;
        }
}

struct Path {
    std::string name;
    std::unique_ptr<Conv3x3Kernel> kernel;
};

std::string onlyPath;  // --only NAME: oneDNN fp32 and this path (for profiling)

std::vector<Path> pathsFor(const Shape& s, const ConvCase& conv) {
    std::vector<Path> paths;
    const Isa isa = activeIsa();
    paths.push_back({"onednn-fp32", makeOneDnnConv3x3(OneDnnMode::Fp32, s.inC, s.outC, conv.weights.data(), conv.bias.data())});
    if (isaAvailable(Isa::Avx512Bf16) && static_cast<int>(isa) >= static_cast<int>(Isa::Avx512Bf16)) {
        paths.push_back({"onednn-bf16", makeOneDnnConv3x3(OneDnnMode::Bf16, s.inC, s.outC, conv.weights.data(), conv.bias.data())});
        paths.push_back({"onednn-fp32-fpmath-bf16",
                         makeOneDnnConv3x3(OneDnnMode::Fp32MathBf16, s.inC, s.outC, conv.weights.data(), conv.bias.data())});
    }
    for (Precision p : {Precision::Fp32, Precision::Bf16}) {
        if (effectivePrecision(isa, p) != p) continue;
        for (Conv3x3Variant& v : allConv3x3(isa, p, s.inC, s.outC, conv.weights.data(), conv.bias.data()))
            paths.push_back({v.name, std::move(v.kernel)});
    }
    if (!onlyPath.empty())
        paths.erase(std::remove_if(paths.begin() + 1, paths.end(), [](const Path& p) { return p.name != onlyPath; }), paths.end());
    return paths;
}

void benchShapes(const std::vector<Shape>& shapes, int size, int rounds) {
    const Isa isa = activeIsa();
    std::printf("ISA %s (detected %s), %d threads, %dx%d, %d interleaved rounds. GMAC/s: wall time of the best and the median\n",
                isaName(isa), isaName(detectedIsa()), omp_get_max_threads(), size, size, rounds);
    std::printf("round, and median CPU time / threads (robust to other jobs with OMP_WAIT_POLICY=passive); speedups over oneDNN\n");
    std::printf("fp32 by best wall and by CPU time; error on 37x42 against double; <- what makeConv3x3 picks\n");
    std::printf("%-16s %-26s %8s %8s %8s %9s %9s %9s %9s  %s\n", "shape", "path", "best", "median", "cpu", "x wall", "x cpu", "rms-rel",
                "max-rel", "");
    std::mt19937 rng(1234);
    for (const Shape& s : shapes) {
        ConvCase conv(s.inC, s.outC, rng);
        std::vector<Path> paths = pathsFor(s, conv);
        std::string chosen[2];
        for (Precision p : {Precision::Fp32, Precision::Bf16}) {
            auto k = makeConv3x3(isa, p, s.inC, s.outC, conv.weights.data(), conv.bias.data());
            chosen[p == Precision::Bf16] = k ? k->describe() : "oneDNN";
        }

        // Accuracy on a size with partial tiles on every edge.
        const int ah = 37, aw = 42;
        std::vector<float> small = esrgan::testing::randomActivations(ah, aw, s.inC, s.inPitch, 0.f, rng);
        std::vector<double> ref = esrgan::testing::referenceConv3x3(conv, small.data(), s.inPitch, ah, aw, s.leaky, 0.2f);
        std::vector<esrgan::testing::ConvError> errors;
        for (Path& p : paths) {
            std::vector<float> out(static_cast<size_t>(ah) * aw * s.outPitch);
            p.kernel->run(small.data(), s.inPitch, ah, aw, out.data(), s.outPitch, s.leaky, 0.2f);
            errors.push_back(esrgan::testing::compareConv(out.data(), s.outPitch, ref, s.outC));
        }

        // Speed: in and out in separate pitched buffers, warmed up once.
        const size_t pixels = static_cast<size_t>(size) * size;
        AlignedBuffer in(pixels * s.inPitch * sizeof(float)), out(pixels * s.outPitch * sizeof(float));
        fillActivations(in.as<float>(), pixels, s.inC, s.inPitch, rng);
        std::memset(out.data(), 0, out.size());
        std::vector<std::vector<double>> times(paths.size()), cpuTimes(paths.size());
        const int threads = omp_get_max_threads();
        for (int r = -1; r < rounds; ++r)
            for (size_t i = 0; i < paths.size(); ++i) {
                const double t0 = now(), c0 = cpuNow();
                paths[i].kernel->run(in.as<float>(), s.inPitch, size, size, out.as<float>(), s.outPitch, s.leaky, 0.2f);
                if (r >= 0) {
                    times[i].push_back(now() - t0);
                    cpuTimes[i].push_back((cpuNow() - c0) / threads);
                }
            }
        const double macs = 9.0 * s.inC * s.outC * pixels;
        const double base = best(times[0]), cpuBase = median(cpuTimes[0]);
        for (size_t i = 0; i < paths.size(); ++i) {
            const double t = best(times[i]), tm = median(times[i]), tc = median(cpuTimes[i]);
            std::string mark;
            if (paths[i].kernel->describe() == chosen[0]) mark += " <- fp32";
            if (paths[i].kernel->describe() == chosen[1]) mark += " <- bf16";
            std::printf("%-16s %-26s %8.1f %8.1f %8.1f %9.2f %9.2f %9.1e %9.1e %s\n", i == 0 ? s.label().c_str() : "", paths[i].name.c_str(),
                        macs / t * 1e-9, macs / tm * 1e-9, macs / tc * 1e-9, base / t, cpuBase / tc, errors[i].rmsRel, errors[i].maxRel,
                        mark.c_str());
        }
        if (chosen[0] == "oneDNN") std::printf("%-16s %-26s\n", "", "(fp32: makeConv3x3 gives oneDNN)");
        std::fflush(stdout);
    }
}

// ns per output pixel of one layer at growing sides, for the chosen kernel and oneDNN fp32, from
// CPU time / threads (page faults count: the kernel clears the pages on the first write).
void benchScaling(const std::vector<Shape>& shapes, const std::vector<int>& sides, int rounds) {
    const Isa isa = activeIsa();
    char thp[128] = "?";
    if (FILE* f = std::fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r")) {
        if (!std::fgets(thp, sizeof thp, f)) thp[0] = 0;
        std::fclose(f);
        thp[std::strcspn(thp, "\n")] = 0;
    }
    const int threads = omp_get_max_threads();
    std::printf("ISA %s, %d threads, ns per output pixel from CPU time / threads (best of %d); THP: %s\n", isaName(isa), threads,
                rounds, thp);
    std::printf("  warm:  input and output allocated once and reused\n");
    std::printf("  fresh: a dense output (outC floats per pixel) allocated per call, as the runner does per layer\n");
    std::printf("  4k: aligned_alloc (4 KiB pages); huge: AlignedBuffer (2 MiB aligned, MADV_HUGEPAGE); faults: minor page faults per call\n");
    std::printf("%-16s %-28s %6s %9s %9s %9s %9s %8s %8s\n", "shape", "kernel", "side", "warm-4k", "warm-huge", "fresh-4k", "fresh-huge",
                "flt-4k", "flt-huge");
    std::mt19937 rng(99);
    for (const Shape& s : shapes) {
        ConvCase conv(s.inC, s.outC, rng);
        std::vector<Path> paths;
        if (auto k = makeConv3x3(isa, Precision::Fp32, s.inC, s.outC, conv.weights.data(), conv.bias.data()))
            paths.push_back({k->describe(), std::move(k)});
        paths.push_back({"oneDNN fp32", makeOneDnnConv3x3(OneDnnMode::Fp32, s.inC, s.outC, conv.weights.data(), conv.bias.data())});
        // A dense-block layer (inPitch == outPitch >= inC + outC) reads a channel prefix of the
        // concat buffer and writes a later channel range of the same buffer when warm.
        const bool shared = s.inPitch == s.outPitch && s.inPitch >= s.inC + s.outC;
        for (int side : sides) {
            const size_t pixels = static_cast<size_t>(side) * side;
            for (Path& p : paths) {
                double ns[4];
                long faults[4];
                for (int mode = 0; mode < 4; ++mode) {
                    const bool huge = mode % 2 == 1, fresh = mode >= 2;
                    const HugePages hp = huge ? HugePages::Auto : HugePages::Never;
                    AlignedBuffer in(pixels * s.inPitch * sizeof(float), hp);
                    fillActivations(in.as<float>(), pixels, s.inC, s.inPitch, rng);
                    AlignedBuffer out;
                    if (!shared && !fresh) {
                        out = AlignedBuffer(pixels * s.outPitch * sizeof(float), hp);
                        std::memset(out.data(), 0, out.size());
                    }
                    std::vector<double> t;
                    std::vector<long> f;
                    for (int r = -1; r < rounds; ++r) {
                        rusage u0, u1;
                        getrusage(RUSAGE_SELF, &u0);
                        const double c0 = cpuNow();
                        AlignedBuffer freshOut;
                        float* dst = shared ? in.as<float>() + s.inC : out.as<float>();
                        int pitch = s.outPitch;
                        if (fresh) {
                            freshOut = AlignedBuffer(pixels * s.outC * sizeof(float), hp);
                            dst = freshOut.as<float>();
                            pitch = s.outC;
                        }
                        p.kernel->run(in.as<float>(), s.inPitch, side, side, dst, pitch, s.leaky, 0.2f);
                        const double c1 = cpuNow();
                        getrusage(RUSAGE_SELF, &u1);
                        if (r >= 0) {
                            t.push_back((c1 - c0) / threads);
                            f.push_back(u1.ru_minflt - u0.ru_minflt);
                        }
                    }
                    ns[mode] = best(t) / pixels * 1e9;
                    faults[mode] = f.empty() ? 0 : *std::min_element(f.begin(), f.end());
                }
                std::printf("%-16s %-28s %6d %9.1f %9.1f %9.1f %9.1f %8ld %8ld\n", s.label().c_str(), p.name.c_str(), side, ns[0], ns[1], ns[2],
                            ns[3], faults[2], faults[3]);
                std::fflush(stdout);
            }
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    int size = 156, rounds = 7, threads = 0;
    bool scaling = false;
    std::vector<Shape> shapes = kDefaultShapes;
    std::vector<int> sides = {148, 276, 532, 1044};
    bool shapesGiven = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "conv3x3_bench: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--size") size = std::atoi(next().c_str());
        else if (a == "--rounds") rounds = std::atoi(next().c_str());
        else if (a == "--threads") threads = std::atoi(next().c_str());
        else if (a == "--shapes") shapes = parseShapes(next()), shapesGiven = true;
        else if (a == "--sides") sides = parseInts(next());
        else if (a == "--scaling") scaling = true;
        else if (a == "--only") onlyPath = next();
        else {
            std::fprintf(stderr,
                         "usage: conv3x3_bench [--size N] [--rounds R] [--threads T] [--shapes IN:OUT[:INPITCH[:OUTPITCH]],...] [--only PATH]\n"
                         "       conv3x3_bench --scaling [--sides S,...] [--rounds R] [--threads T] [--shapes ...]\n");
            return 2;
        }
    }
    if (threads > 0) omp_set_num_threads(threads);
    if (scaling) {
        if (!shapesGiven) shapes = {{64, 32, 192, 192, true}, {192, 64, 192, 64, false}};
        benchScaling(shapes, sides, rounds);
    } else {
        benchShapes(shapes, size, rounds);
    }
    return 0;
}
