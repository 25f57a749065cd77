#!/usr/bin/env bash
# Every result file `spindle run` writes for the example networks (spikes,
# state, .npy, mapping report) compared byte for byte with the SHA-256 sums
# committed beside this script. The sums pin the engine's output: a change
# that alters any spike, sample or mapping decision fails here.
#   check.sh SPINDLE_BIN EXAMPLES_DIR [--update]   (--update rewrites the sums)
set -euo pipefail
bin=$1 examples=$2 mode=${3:-check}
here=$(cd "$(dirname "$0")" && pwd)
sums=$here/sha256sums.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for net in tiny cuba coba microcircuit_10pct; do
  "$bin" run "$examples/$net.textproto" --out "$work/$net" >"$work/$net.log" 2>&1 ||
    { cat "$work/$net.log"; echo "check.sh: spindle run $net failed"; exit 1; }
done
# The files that hold results (provenance.json holds timings and the
# manifest names files; neither is pinned).
( cd "$work" && find . -type f \( -name '*.csv' -o -name '*.npy' -o -name 'mapping.json' \) | sed 's|^\./||' | LC_ALL=C sort |
    xargs sha256sum ) >"$work/actual.txt"
if [[ $mode == --update ]]; then
  cp "$work/actual.txt" "$sums"
  echo "check.sh: wrote $(wc -l <"$sums") sums"
  exit 0
fi
if ! diff -u "$sums" "$work/actual.txt"; then
  echo "check.sh: result files differ from the committed sums (above: - committed, + this build)"
  exit 1
fi
echo "check.sh: $(wc -l <"$sums") result files byte-identical"
