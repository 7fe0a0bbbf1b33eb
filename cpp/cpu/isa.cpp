#include "cpu/isa.h"

#include <cpuid.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

namespace esrgan::cpu {

namespace {

struct Features {
    bool avx2 = false, avx512 = false, avx512bf16 = false, amxbf16 = false;
};

uint64_t xgetbv0() {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (static_cast<uint64_t>(hi) << 32) | lo;
}

// Linux keeps AMX tile data (XCR0 bit 18) off for a process until it asks: without the
// permission the first tile instruction faults. oneDNN asks for itself too; asking twice is fine.
bool requestAmxPermission() {
#if defined(__linux__) && defined(SYS_arch_prctl)
    constexpr int kArchGetXcompPerm = 0x1022, kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
    if (syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) != 0) return false;
    unsigned long long permitted = 0;
    if (syscall(SYS_arch_prctl, kArchGetXcompPerm, &permitted) != 0) return false;
    return (permitted >> kXfeatureXtiledata) & 1;
#else
    return false;
#endif
}

Features detect() {
    Features f;
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    const bool osxsave = (c >> 27) & 1, fma = (c >> 12) & 1, avx = (c >> 28) & 1;
    if (!osxsave || !avx) return f;
    const uint64_t xcr0 = xgetbv0();
    const bool ymmState = (xcr0 & 0x6) == 0x6;            // SSE + AVX
    const bool zmmState = ymmState && (xcr0 & 0xe0) == 0xe0;  // opmask, ZMM_Hi256, Hi16_ZMM
    const bool tileState = (xcr0 & 0x60000) == 0x60000;    // XTILECFG, XTILEDATA
    if (__get_cpuid_max(0, nullptr) < 7) return f;
    __cpuid_count(7, 0, a, b, c, d);
    const bool avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1, avx512dq = (b >> 17) & 1, avx512bw = (b >> 30) & 1,
               avx512vl = (b >> 31) & 1;
    const bool amxBf16 = (d >> 22) & 1, amxTile = (d >> 24) & 1;
    const unsigned leaf7Max = a;
    bool bf16 = false;
    if (leaf7Max >= 1) {
        __cpuid_count(7, 1, a, b, c, d);
        bf16 = (a >> 5) & 1;
    }
    f.avx2 = ymmState && avx2 && fma;
    f.avx512 = f.avx2 && zmmState && avx512f && avx512dq && avx512bw && avx512vl;
    f.avx512bf16 = f.avx512 && bf16;
    f.amxbf16 = f.avx512bf16 && amxTile && amxBf16 && tileState && requestAmxPermission();
    return f;
}

const Features& features() {
    static const Features f = detect();
    return f;
}

constexpr int kNoForce = -1;
std::atomic<int> forced{kNoForce};

Isa lower(Isa a, Isa b) { return static_cast<int>(a) < static_cast<int>(b) ? a : b; }

}  // namespace

bool isaAvailable(Isa isa) {
    const Features& f = features();
    switch (isa) {
        case Isa::Baseline: return true;
        case Isa::Avx2: return f.avx2;
        case Isa::Avx512: return f.avx512;
        case Isa::Avx512Bf16: return f.avx512bf16;
        case Isa::AmxBf16: return f.amxbf16;
    }
    return false;
}

Isa detectedIsa() {
    for (Isa isa : {Isa::AmxBf16, Isa::Avx512Bf16, Isa::Avx512, Isa::Avx2})
        if (isaAvailable(isa)) return isa;
    return Isa::Baseline;
}

const char* isaName(Isa isa) {
    switch (isa) {
        case Isa::Baseline: return "baseline";
        case Isa::Avx2: return "avx2";
        case Isa::Avx512: return "avx512";
        case Isa::Avx512Bf16: return "avx512_bf16";
        case Isa::AmxBf16: return "amx_bf16";
    }
    return "?";
}

Isa parseIsa(const std::string& name) {
    if (name.empty() || name == "auto") return detectedIsa();
    for (Isa isa : {Isa::Baseline, Isa::Avx2, Isa::Avx512, Isa::Avx512Bf16, Isa::AmxBf16})
        if (name == isaName(isa)) return isa;
    throw std::invalid_argument("unknown CPU ISA level '" + name +
                                "': use one of baseline, avx2, avx512, avx512_bf16, amx_bf16 or auto");
}

void forceIsa(const std::string& name) {
    if (name.empty() || name == "auto") {
        forced.store(kNoForce);
        return;
    }
    forced.store(static_cast<int>(parseIsa(name)));
}

Isa activeIsa() {
    const Isa best = detectedIsa();
    const int f = forced.load();
    if (f != kNoForce) return lower(best, static_cast<Isa>(f));
    const char* env = std::getenv("MC_CPU_ISA");
    if (!env || !*env) return best;
    try {
        return lower(best, parseIsa(env));
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("MC_CPU_ISA: ") + e.what() + " (or unset it)");
    }
}

}  // namespace esrgan::cpu
