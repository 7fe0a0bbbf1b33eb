#!/usr/bin/env bash
# The main job: build model-compose (first time only) and upscale examples/sample.png x4 with the
# default model (realesr-animevideov3, downloaded into ~/.cache/model-compose on first use).
#
#   scripts/upscale-example.sh [IN [OUT]]      # default: examples/sample.png -> sample-x4.png
set -euo pipefail
cd "$(dirname "$0")/.."

IN="${1:-examples/sample.png}"
OUT="${2:-sample-x4.png}"

scripts/install-system-deps.sh build
if [[ ! -f target/model-compose.jar || -n "$(find pom.xml */pom.xml cpp native core/src server/src cli/src models -newer target/model-compose.jar -print -quit)" ]]; then
  ./mvnw -q -B -DskipTests package
fi
java -jar target/model-compose.jar upscale -i "$IN" -o "$OUT" -n realesr-animevideov3 -s 4
