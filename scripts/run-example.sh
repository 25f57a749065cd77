#!/usr/bin/env bash
# The main job: sets up a fresh Debian 12 machine, builds, and runs the
# example network end to end natively and as the real ARM image under QEMU,
# then prints what each produced and whether they agree bit for bit.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh host
exec examples/selftest/run.sh build/host
