#!/usr/bin/env bash
# Install the Debian/Ubuntu system packages the native build and the tests need.
# Only installs what is missing; runs `apt-get update` only if something must be installed.
#
#   scripts/install-system-deps.sh [build|test]          # as root, or as a user with sudo
#   scripts/install-system-deps.sh [build|test] --check  # only report what is missing (exit 1 if anything is)
#
# Profiles: `build` (default) is what building and running the CLI needs; `test` adds what the
# test suite's oracles need (lavapipe for the official binary, PyTorch, Chromium for the web page).
#
# Packages:
#   cmake g++ make            native runner build
#   glslc                     compiles the Vulkan backend's GLSL shaders to SPIR-V (embedded in the library)
#   libvulkan-dev libvulkan-volk-dev   Vulkan + volk headers (the library opens libvulkan.so.1 at run time
#                             through volk, so neither is needed to run it)
#   libgtest-dev              GoogleTest for the native kernel tests (mc_native_tests; skipped when absent)
#   libstb-dev                PNG in and out of mc-upscale, the native check tool (header-only use)
#   libvulkan1                Vulkan loader (runtime of the runner and of the peer binary)
#   mesa-vulkan-drivers       lavapipe (llvmpipe) software Vulkan ICD for GPU-less CI
#   libgomp1                  OpenMP runtime, needed by the official realesrgan-ncnn-vulkan binary
#   python3-torch python3-numpy python3-pil   bench/torch_esrgan.py reference + parity checks
#   npm (nodejs)              scripts/fetch-test-assets.sh uses `npm pack`
#   chromium chromium-driver  headless browser for the web page test (WebUiBrowserTest)
set -euo pipefail

CHECK_ONLY=0
PROFILE=build
for arg in "$@"; do
  case "$arg" in
    --check) CHECK_ONLY=1 ;;
    build|test) PROFILE="$arg" ;;
    *) echo "install-system-deps: unknown argument '$arg' (expected build, test or --check)" >&2; exit 2 ;;
  esac
done

PKGS=(cmake g++ make glslc libvulkan-dev libvulkan-volk-dev libgtest-dev libstb-dev)
if [[ "$PROFILE" == test ]]; then
  PKGS+=(libvulkan1 mesa-vulkan-drivers libgomp1 python3-torch python3-numpy python3-pil chromium chromium-driver)
fi

if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: not a dpkg/apt system; install these (or equivalents) by hand:" >&2
  echo "  ${PKGS[*]} npm" >&2
  exit 1
fi

installed() { dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'; }

missing=()
for p in "${PKGS[@]}"; do
  installed "$p" || missing+=("$p")
done
# npm: any working `npm` will do (e.g. NodeSource's nodejs bundles npm and conflicts with
# Debian's npm package), so only install Debian's npm when there is no npm at all.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi

if ((${#missing[@]} == 0)); then
  echo "install-system-deps: all present"
  exit 0
fi

echo "install-system-deps: missing: ${missing[*]}"
if ((CHECK_ONLY)); then
  exit 1
fi

SUDO=()
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    echo "install-system-deps: not root and no passwordless sudo. Please run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

# Wait for a concurrent apt/dpkg run (e.g. unattended-upgrades) instead of failing.
APT_OPTS=(-o DPkg::Lock::Timeout=600)
"${SUDO[@]}" apt-get "${APT_OPTS[@]}" update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y --no-install-recommends "${missing[@]}"

still=()
for p in "${missing[@]}"; do
  if [[ "$p" == npm ]]; then command -v npm >/dev/null 2>&1 || still+=(npm)
  else installed "$p" || still+=("$p"); fi
done
if ((${#still[@]})); then
  echo "install-system-deps: still missing after install: ${still[*]}" >&2
  exit 1
fi
echo "install-system-deps: installed ${missing[*]}"
