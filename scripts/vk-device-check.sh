#!/usr/bin/env bash
# Checks the Vulkan kernels on a machine with a GPU (no GPU is needed to build them). Run after a
# Maven build (./mvnw -B -DskipTests package configures core/target/cmake):
#   scripts/vk-device-check.sh [DEVICE]
# 1. mc_vulkan_tests: every 3x3 kernel against a naive double-precision convolution, the real
#    tensor-core GEMM included where the device reports cooperative matrices (it prints the shapes),
#    Winograd on the real models against the direct shader, the pipeline cache.
# 2. vk_conv_bench, fp16 storage: the automatic choice against the direct shader and against the
#    shared-memory GEMM (A/B interleaved in one process; B/A < 1 means the automatic choice wins).
# MODELS (default ~/.cache/model-compose/test-assets/models) adds whole-model runs when cached.
set -euo pipefail
cd "$(dirname "$0")/.."
device=${1:-0}
build=core/target/cmake
if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "no $build: run ./mvnw -B -DskipTests package first" >&2
  exit 2
fi
cmake --build "$build" --target mc_vulkan_tests vk_conv_bench --parallel "$(nproc)"
"$build/cpp/mc_vulkan_tests" --gtest_brief=1
bench="$build/cpp/vk_conv_bench"
for size in 256 1024; do
  "$bench" "$device" "$size" 10 MC_VK_CONV3X3=direct,precision=fp16 precision=fp16 64,64 64,32 192,64
  "$bench" "$device" "$size" 10 MC_VK_WINO_GEMM=shared,MC_VK_CONV3X3=wino43,precision=fp16 precision=fp16 64,64 64,32 192,64
done
# chunk of tiles per round of the three Winograd dispatches (default 64 MiB of V or M): 16 MiB may
# keep V and M in a large L2 between the dispatches, 1 GiB means one round per convolution
"$bench" "$device" 1024 10 precision=fp16 MC_VK_WINO_CHUNK_KIB=16384,precision=fp16 64,64
"$bench" "$device" 1024 10 precision=fp16 MC_VK_WINO_CHUNK_KIB=1048576,precision=fp16 64,64
models=${MODELS:-$HOME/.cache/model-compose/test-assets/models}
if [ -f "$models/realesrgan-x4plus.param" ]; then
  "$bench" "$device" 512 3 MC_VK_CONV3X3=direct,precision=fp16 precision=fp16 "$models/realesr-animevideov3-x4" "$models/realesrgan-x4plus"
  # host round trips: one submission per layer against one per tile
  "$bench" "$device" 128 10 MC_VK_SEGMENT_MACS=0,precision=fp16 MC_VK_SEGMENT_MACS=1e30,precision=fp16 "$models/realesr-animevideov3-x4"
fi
