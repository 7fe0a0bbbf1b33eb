#include "cpu/cpu_engine.h"

#include <omp.h>

namespace esrgan {

void CpuEngine::setThreads(int threads) { omp_set_num_threads(threads > 0 ? threads : omp_get_num_procs()); }

int CpuEngine::hardwareThreads() { return omp_get_num_procs(); }

}  // namespace esrgan
