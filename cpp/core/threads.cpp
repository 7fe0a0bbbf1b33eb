#include "core/threads.h"

#include <omp.h>

namespace esrgan {

void setThreads(int threads) { omp_set_num_threads(threads > 0 ? threads : omp_get_num_procs()); }

int hardwareThreads() { return omp_get_num_procs(); }

}  // namespace esrgan
