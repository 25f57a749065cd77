#!/bin/bash
# `spindle run --backend qemu` (all cores, then only some) writes the same
# spikes and state files as `--backend native`; a bad --board or
# --qemu-cores is a usage error (exit 2) that names the option.
# Usage: compare_cli_backends.sh SPINDLE NETWORK OUTDIR
set -u
spindle=$1 network=$2 out=$3
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
echo "ok: qemu and mixed runs equal native"
