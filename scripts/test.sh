#!/usr/bin/env bash
# Every test: installs the system packages, fetches the real models and the official binary
# (cached in ~/.cache/model-compose/test-assets), then builds and runs the JUnit suites.
#
#   scripts/test.sh [extra Maven arguments, e.g. -Dtest=TilingTest]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-system-deps.sh test
scripts/fetch-test-assets.sh >/dev/null
./mvnw -B verify "$@"
