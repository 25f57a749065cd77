#!/usr/bin/env bash
# The whole test suite: sets up, builds the host preset (with the ARM images)
# and runs every test, including the QEMU tests of the ARM image; then builds
# the sanitizer preset (ASan + UBSan) and runs the host tests under it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=${SPINDLE_JOBS:-$(nproc)}

scripts/build.sh host
ctest --preset host -j "$jobs"

# QEMU tests run the ARM image, which is not built with sanitizers.
scripts/build.sh sanitize
ctest --preset sanitize -j "$jobs" -LE qemu
