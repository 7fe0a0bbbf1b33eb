#include "runner/options.h"

namespace esrgan {

const char* precisionName(Precision p) {
    switch (p) {
        case Precision::Fp32: return "fp32";
        case Precision::Fp16: return "fp16";
        case Precision::Bf16: return "bf16";
        default: return "auto";
    }
}

}  // namespace esrgan
