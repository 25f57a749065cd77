#!/usr/bin/env bash
# Configures and builds a preset (default: host, which also cross-builds the
# ARM board images). Usage: scripts/build.sh [PRESET]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-host}
jobs=${SPINDLE_JOBS:-$(nproc)}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs"
