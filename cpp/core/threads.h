#pragma once

namespace esrgan {

// OpenMP threads of the calling thread (every parallel loop of the runner and oneDNN use them); 0 = all cores.
void setThreads(int threads);
int hardwareThreads();

}  // namespace esrgan
