#!/usr/bin/env bash
# The whole test suite: sets up, builds the host preset (with the ARM images)
# and runs every test, including the QEMU tests of the ARM image; then builds
# the sanitizer preset (ASan + UBSan) and runs the host tests under it;
# then the ThreadSanitizer preset and runs the tests of the threaded engine,
# the daemon and its clients under it (label tsan); then builds the fuzz
# preset (clang, libFuzzer), replays the committed fuzz corpus and runs each
# fuzz target for a bounded time (docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=${SPINDLE_JOBS:-$(nproc)}

scripts/build.sh host
ctest --preset host -j "$jobs"

# QEMU tests run the ARM image, which is not built with sanitizers; the
# whole experiments (label experiment) are minutes of learning whose calls
# the daemon and client tests already cover.
scripts/build.sh sanitize
ctest --preset sanitize -j "$jobs" -LE "qemu|experiment"

# ThreadSanitizer: only the test executables of the engine, its worker pool,
# the daemon and its clients are built, and only their tests (label tsan)
# run; tests/tsan.supp holds the suppressions (CMakePresets.json).
scripts/build.sh tsan
ctest --preset tsan -j "$jobs"

# Fuzzing: every committed input once (label fuzz), then each target for
# SPINDLE_FUZZ_SECONDS (25 s by default, about two minutes for the four).
scripts/build.sh fuzz
ctest --preset fuzz -j "$jobs"
SPINDLE_FUZZ_NO_BUILD=1 scripts/fuzz.sh all "${SPINDLE_FUZZ_SECONDS:-25}"
