#!/bin/sh
# Mapping benchmark of docs/performance.md: the Potjans-Diesmann microcircuit
# at 10% and 100%, streamed core-image building on 1 and 2 threads, and the
# baseline (whole-projection expansion alone, one thread) in the same run.
# Each configuration is its own process, so each peak RSS is its own.
#   bench/mapping_bench.sh [BUILD_DIR]      (default build/host)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/host}
bench=$build/bench/mapping_bench
small=$root/examples/networks/microcircuit_10pct.textproto
full=$root/examples/networks/large/microcircuit_100pct.textproto
for t in 1 2; do "$bench" "$small" --machine 48 --threads $t; done
"$bench" "$small" --mode expand
for t in 1 2; do "$bench" "$full" --machine boards:3x3 --threads $t; done
"$bench" "$full" --mode expand
