#!/usr/bin/env bash
# The GPU check, in one go, on a machine with a GPU but no JDK (the NVIDIA machine the `device` tool lends for about
# 15 minutes, 64 MiB of files travelling): our native runner (mc-upscale, no JVM) against the official
# realesrgan-ncnn-vulkan on the same device and images, outputs compared, a short report written.
#
#   scripts/gpu-check.sh prepare        # here: build mc-upscale and gather everything into .gpu-check/ (~50 MB)
#   scripts/gpu-check.sh run [--quick]  # there (or here, on lavapipe): run and write $OUT/report.md (.gpu-check/out)
#
# `run` brings the Vulkan loader along when the machine lacks libvulkan.so.1 (.gpu-check/gl/*.deb, unpacked into /),
# lists the device and its features, then times whole processes (what a user types: load, upscale, PNG out) of both
# on realesrgan-x4plus and realesr-animevideov3-x4 at 1024x1024 (one tile) and 2048x2048 (tiles of 512), and compares
# the outputs (share of values within +-2, the official binary's negative-to-white values left out). --quick uses
# 48x48 and 96x96 (tiles of 48) instead, for lavapipe.
set -euo pipefail
cd "$(dirname "$0")/.."
KIT=.gpu-check

prepare() {
    scripts/install-system-deps.sh build
    local assets
    assets="$(scripts/fetch-test-assets.sh | tail -1)"
    if [[ ! -f core/target/cmake/CMakeCache.txt ]]; then ./mvnw -q -B -DskipTests -pl core package; fi
    cmake --build core/target/cmake --target mc-upscale --parallel 2 >/dev/null
    rm -rf "$KIT" && mkdir -p "$KIT/bin" "$KIT/models" "$KIT/gl"
    cp core/target/cmake/cpp/mc-upscale "$KIT/bin/"
    cp "$(find core/target/native-deps -name 'libgomp.so.1' | head -1)" "$KIT/bin/"
    cp "$assets/bin/realesrgan-ncnn-vulkan" "$KIT/bin/"
    for m in realesrgan-x4plus realesr-animevideov3-x4; do cp "$assets/models/$m".param "$assets/models/$m".bin "$KIT/models/"; done
    # The Vulkan loader for a machine that has the driver but no loader (the device README's recipe).
    local opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
    mkdir -p /tmp/amd64/partial
    apt-get "${opts[@]}" update -qq >/dev/null
    (cd "$KIT/gl" && apt-get "${opts[@]}" download -qq libvulkan1 >/dev/null)
    echo "gpu-check: $KIT ready ($(du -sh "$KIT" | cut -f1)). On the GPU machine run, with carry [\"$KIT\"]:"
    echo "  bash scripts/gpu-check.sh run"
}

run() {
    local quick=0
    [[ "${1:-}" == --quick ]] && quick=1
    [[ -x "$KIT/bin/mc-upscale" ]] || { echo "gpu-check: $KIT/bin/mc-upscale missing: run 'scripts/gpu-check.sh prepare' first" >&2; exit 1; }
    local out="${OUT:-$KIT/out}"
    mkdir -p "$out"
    local work
    work="$(mktemp -d)"
    if ! ldconfig -p | grep -q 'libvulkan.so.1'; then
        for f in "$KIT"/gl/*.deb; do dpkg -x "$f" /; done
        ldconfig
    fi
    if [[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json && -z "${VK_DRIVER_FILES:-}" ]]; then
        export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
    fi
    local mc="$KIT/bin/mc-upscale" official="$KIT/bin/realesrgan-ncnn-vulkan"
    chmod +x "$mc" "$official"
    # the official binary finds its models in a folder named "models"
    mkdir -p "$work/models" && cp "$KIT"/models/* "$work/models/"
    local report="$out/report.md"
    {
        echo "# GPU check, $(date -u +%FT%TZ)"
        echo
        echo '```'
        "$mc" devices
        nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true
        echo '```'
        echo
        echo "Whole processes (load, upscale, PNG out), same device 0, same image, the same 10-pixel tile pad; parity: ours vs official."
        echo
        echo "| model | image | tile | official s | ours s | ratio (official/ours) | within 2 | ours' phases |"
        echo "|---|---|---|---|---|---|---|---|"
    } >"$report"
    local sizes=(1024 2048) tiles=(0 512)
    if ((quick)); then sizes=(48 96); tiles=(0 48); fi
    for model in realesrgan-x4plus realesr-animevideov3-x4; do
        local official_name="$model" official_scale=4
        [[ "$model" == realesr-animevideov3-x4 ]] && official_name=realesr-animevideov3
        for i in "${!sizes[@]}"; do
            local size="${sizes[$i]}" tile="${tiles[$i]}"
            local in="$work/in-$size.png"
            [[ -f "$in" ]] || "$mc" synth "$size" "$size" "$in"
            local t0 t1 t2 ours_log
            t0=$(date +%s.%N)
            "$official" -i "$in" -o "$work/official.png" -m "$work/models" -n "$official_name" -s "$official_scale" -g 0 -t "$tile" \
                >"$work/official.log" 2>&1 || { echo "official binary failed:"; cat "$work/official.log"; }
            t1=$(date +%s.%N)
            # the official binary pads each tile with 10 real or mirrored pixels: ours does the same here, so both do the
            # same work and their tiles meet at the same seams
            ours_log=$("$mc" upscale -i "$in" -o "$work/ours.png" -m "$work/models" -n "$model" -g 0 -t "$tile" --tile-pad 10 2>&1) \
                || echo "ours failed: $ours_log"
            t2=$(date +%s.%N)
            local cmp official_s ours_s
            cmp=$("$mc" compare "$work/ours.png" "$work/official.png" 2>&1 || true)
            official_s=$(awk "BEGIN {print $t1 - $t0}")
            ours_s=$(awk "BEGIN {print $t2 - $t1}")
            printf '| %s | %dx%d | %s | %.2f | %.2f | %.2fx | %s | %s |\n' "$model" "$size" "$size" "${tile/#0/whole}" "$official_s" "$ours_s" \
                "$(awk "BEGIN {print $official_s / $ours_s}")" "$(echo "$cmp" | grep -o '[0-9.]*% within 2' || echo "$cmp")" \
                "$(echo "$ours_log" | grep -o 'load.*' | tr '|' '/')" >>"$report"
        done
    done
    rm -rf "$work"
    cat "$report"
}

case "${1:-}" in
    prepare) prepare ;;
    run) shift; run "$@" ;;
    *) echo "usage: scripts/gpu-check.sh prepare | run [--quick]" >&2; exit 2 ;;
esac
