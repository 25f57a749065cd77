#!/bin/bash
# `spindle run --backend qemu` (all cores, then only some) writes the same
# spikes and state files as `--backend native`; a bad --board or
# --qemu-cores is a usage error (exit 2) that names the option.
# With QEMU and the core server image also `--backend serial` on a pty.
# The native run maps onto native cores, which may hold larger slices than
# the ARM images of the other runs: the files must not depend on that.
# Usage: compare_cli_backends.sh SPINDLE NETWORK OUTDIR [QEMU CORE_ELF]
set -u
spindle=$1 network=$2 out=$3 qemu=${4:-} core_elf=${5:-}
rm -rf "$out" && mkdir -p "$out"
args=(run "$network" --machine 1 --duration 200)
"$spindle" "${args[@]}" --out "$out/native" > "$out/native.txt" 2>&1 || { cat "$out/native.txt"; exit 1; }
"$spindle" "${args[@]}" --backend qemu --out "$out/qemu" > "$out/qemu.txt" 2>&1 || { cat "$out/qemu.txt"; exit 1; }
"$spindle" "${args[@]}" --backend qemu --qemu-cores 0,2 --out "$out/mixed" > "$out/mixed.txt" 2>&1 || { cat "$out/mixed.txt"; exit 1; }
grep -q "backend qemu: 2 of" "$out/mixed.txt" || { echo "FAIL: mixed run did not put 2 cores on QEMU"; cat "$out/mixed.txt"; exit 1; }
for run in qemu mixed; do
  for f in spikes.csv state.csv; do
    cmp "$out/native/$f" "$out/$run/$f" || { echo "FAIL: $run/$f differs from native"; exit 1; }
  done
done
[ -s "$out/native/spikes.csv" ] || { echo "FAIL: no spikes recorded"; exit 1; }

# --backend serial against QEMU standing in for a flashed board (-serial pty).
if [ -n "$qemu" ]; then
  "$qemu" -M mps2-an386 -display none -monitor none -serial pty -kernel "$core_elf" > "$out/board.txt" 2>&1 &
  board=$!
  trap 'kill -9 $board 2>/dev/null' EXIT
  pty=""
  for _ in $(seq 100); do
    pty=$(grep -o '/dev/pts/[0-9]*' "$out/board.txt" | head -1)
    [ -n "$pty" ] && break
    sleep 0.1
  done
  [ -n "$pty" ] || { echo "FAIL: QEMU did not report its pty"; cat "$out/board.txt"; exit 1; }
  "$spindle" "${args[@]}" --backend serial --port "$pty" --serial-cores 2 --out "$out/serial" > "$out/serial.txt" 2>&1 \
    || { cat "$out/serial.txt"; exit 1; }
  grep -q "backend serial: 1 of" "$out/serial.txt" || { echo "FAIL: no core on the board"; cat "$out/serial.txt"; exit 1; }
  for f in spikes.csv state.csv; do
    cmp "$out/native/$f" "$out/serial/$f" || { echo "FAIL: serial/$f differs from native"; exit 1; }
  done
fi

expect_usage() {  # expected message, then spindle arguments
  local msg=$1; shift
  "$spindle" "$@" > "$out/usage.txt" 2>&1
  local rc=$?
  [ $rc -eq 2 ] || { echo "FAIL: exit $rc, expected 2, for: $*"; cat "$out/usage.txt"; exit 1; }
  grep -qF "$msg" "$out/usage.txt" || { echo "FAIL: no '$msg' for: $*"; cat "$out/usage.txt"; exit 1; }
}
expect_usage "unknown board 'pdp11'" "${args[@]}" --backend qemu --board pdp11 --out "$out/x"
expect_usage "'a' is not a slice number" "${args[@]}" --backend qemu --qemu-cores 0,a --out "$out/x"
expect_usage "need --backend qemu" "${args[@]}" --qemu-cores 0 --out "$out/x"
expect_usage "needs --port" "${args[@]}" --backend serial --out "$out/x"
echo "ok: qemu, mixed and serial runs equal native"
