#!/bin/bash
# A plastic (STDP) network under `spindle run --backend qemu`, all cores and
# only the plastic slice, writes the same spikes.csv, state.csv and final
# weights (<projection>.weights.csv and .npy, read back over the link) as
# `--backend native`, byte for byte, and the weights moved from the initial
# draw.
# Usage: compare_plastic_backends.sh SPINDLE NETWORK PLASTIC_SLICE OUTDIR [PLASTIC_POPULATION]
# (PLASTIC_POPULATION: the label of the slice's population, default post)
set -u
spindle=$1 network=$2 slice=$3 out=$4 label=${5:-post}
rm -rf "$out" && mkdir -p "$out"
args=(run "$network" --machine 1)
"$spindle" "${args[@]}" --out "$out/native" > "$out/native.txt" 2>&1 || { cat "$out/native.txt"; exit 1; }
"$spindle" "${args[@]}" --duration 1 --out "$out/initial" > "$out/initial.txt" 2>&1 || { cat "$out/initial.txt"; exit 1; }
"$spindle" "${args[@]}" --backend qemu --out "$out/qemu" > "$out/qemu.txt" 2>&1 || { cat "$out/qemu.txt"; exit 1; }
"$spindle" "${args[@]}" --backend qemu --qemu-cores "$slice" --out "$out/plastic_slice" > "$out/plastic_slice.txt" 2>&1 \
  || { cat "$out/plastic_slice.txt"; exit 1; }
grep -q "backend qemu: 1 of" "$out/plastic_slice.txt" || { echo "FAIL: not exactly one core on QEMU"; cat "$out/plastic_slice.txt"; exit 1; }
# ... and that core is the plastic population's.
if command -v python3 > /dev/null; then
  python3 - "$out/plastic_slice/mapping.json" "$slice" "$label" <<'PY' || exit 1
import json, sys
m = json.load(open(sys.argv[1]))
label = m["populations"][m["slices"][int(sys.argv[2])]["population"]]["label"]
if label != sys.argv[3]:
    sys.exit(f"FAIL: slice {sys.argv[2]} is population '{label}', not the plastic '{sys.argv[3]}'")
PY
fi

shopt -s nullglob
weights=("$out"/native/*.weights.csv "$out"/native/*.weights.npy)
[ ${#weights[@]} -ge 2 ] || { echo "FAIL: the native run wrote no weights files"; ls "$out/native"; exit 1; }
[ -s "$out/native/spikes.csv" ] || { echo "FAIL: no spikes recorded"; exit 1; }
for run in qemu plastic_slice; do
  for f in spikes.csv state.csv "${weights[@]##*/}"; do
    cmp "$out/native/$f" "$out/$run/$f" || { echo "FAIL: $run/$f differs from native"; exit 1; }
  done
done
# Plasticity acted: the final weights are not the initial ones.
for f in "$out"/native/*.weights.csv; do
  name=${f##*/}
  [ -s "$out/initial/$name" ] || { echo "FAIL: no initial $name"; exit 1; }
  if cmp -s "$f" "$out/initial/$name"; then echo "FAIL: $name did not change during the run"; exit 1; fi
done
echo "ok: qemu and plastic-slice runs write the native spikes and weights (${weights[*]##*/})"
