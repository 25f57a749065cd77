#!/usr/bin/env bash
# The example network, end to end: a 6-core network (Poisson and spike-array
# sources; IF_curr_exp, Izhikevich, IF_cond_exp and non-leaky IF cores wired
# together with delays) runs 1000 ticks of 1 ms
#   1. natively (the firmware sources compiled for this host), and
#   2. as the real Cortex-M4 image for the mps2-an386 board under QEMU,
# then prints spikes and mean rate per core and whether the two runs agree
# bit for bit.
#   examples/selftest/run.sh [BUILD_DIR]                 (default build/host)
#   examples/selftest/run.sh [BUILD_DIR] --native-only   (no ARM image or QEMU needed:
#       the table and the native run's line count and checksum)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/host}
native_only=0
[[ ${2:-} == --native-only ]] && native_only=1
board=mps2-an386
bundle=$build/arm/$board.bundle
elf=$build/arm/$board/boards/spindle-$board.elf
native=$build/host/spindle-selftest-native
ticks=$(sed -n 's/^set(SPINDLE_BOARD_SELFTEST_TICKS \([0-9]*\)).*/\1/p' boards/$board/board.cmake)
network=$(sed -n 's/^set(SPINDLE_BOARD_SELFTEST_NETWORK \([^)]*\)).*/\1/p' boards/$board/board.cmake)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if ((native_only)); then
  # The bundle the board image embeds, made here as the ARM build makes it.
  bundle=$out/$board.bundle
  "$build/host/spindle-selftest-bundle" "$network" "$bundle" >/dev/null
  need=("$native")
else
  need=("$bundle" "$elf" "$native")
fi
for f in "${need[@]}"; do
  [[ -f $f ]] || { echo "example: missing $f (build the host preset first: scripts/build.sh host)" >&2; exit 1; }
done

echo "== native run: $ticks ticks of 1 ms"
start=$(date +%s%N)
"$native" "$bundle" "$ticks" >"$out/native.txt"
echo "   $(( ($(date +%s%N) - start) / 1000000 )) ms"
if ((!native_only)); then
  echo "== ARM image ($(basename "$elf"), $(stat -c %s "$elf") bytes) under qemu-system-arm -M $board"
  start=$(date +%s%N)
  timeout 300 qemu-system-arm -M "$board" -display none -monitor none -serial stdio \
    -semihosting-config enable=on,target=native -kernel "$elf" </dev/null >"$out/qemu.txt"
  echo "   $(( ($(date +%s%N) - start) / 1000000 )) ms"
fi

echo
echo "core  what                         neurons  spikes  mean rate (Hz)"
names=("SpikeSourcePoisson" "SpikeSourceArray" "IF_curr_exp" "Izhikevich" "IF_cond_exp" "IF non-leaky (ANN unit)")
sizes=(32 8 64 16 16 8)
for c in 0 1 2 3 4 5; do
  n=$(grep -c "^spike [0-9]* $c " "$out/native.txt" || true)
  printf "%4d  %-28s %7d %7d  %8.2f\n" "$c" "${names[$c]}" "${sizes[$c]}" "$n" \
    "$(awk -v n="$n" -v k="${sizes[$c]}" -v t="$ticks" 'BEGIN{print n / k / (t / 1000)}')"
done
dropped=$(grep '^provenance' "$out/native.txt" | grep -o 'input_queue_overflows=[0-9]*\|packets_send_failed=[0-9]*\|spike_records_dropped=[0-9]*' |
  awk -F= '{s += $2} END {print s + 0}')
echo "dropped packets or records: $dropped"
echo
summary="$(wc -l <"$out/native.txt") lines, $(grep '^checksum' "$out/native.txt")"
if ((native_only)); then
  echo "native run: $summary"
elif cmp -s "$out/native.txt" "$out/qemu.txt"; then
  echo "native and QEMU (ARM) runs are bit-identical: $summary"
else
  echo "native and QEMU (ARM) runs DIFFER:"
  diff -u --label native --label qemu "$out/native.txt" "$out/qemu.txt" | head -n 40
  exit 1
fi
