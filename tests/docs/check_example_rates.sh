#!/usr/bin/env bash
# The rates docs/examples.md and the networks' header comments quote for
# tiny, CUBA and COBA with the files' seeds, against what `spindle run`
# prints for them.
#   check_example_rates.sh SPINDLE_BIN REPO_DIR
set -euo pipefail
bin=$1 repo=$2
doc=$repo/docs/examples.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
# The rate `spindle run` prints for population $2 of network $1, to $3 decimals.
rate() { awk -v p="$2" -v d="$3" '$1 == p && NF == 4 { printf "%.*f", d, $4 }' "$work/$1.out"; }
expect() {  # FILE TEXT: TEXT must be in FILE
  if grep -qF -- "$2" "$1"; then echo "ok: $(basename "$1"): $2"
  else echo "FAIL: $(basename "$1") does not say '$2' (what spindle run prints)"; status=1; fi
}
for net in tiny cuba coba; do
  "$bin" run "$repo/examples/networks/$net.textproto" --out "$work/$net" >"$work/$net.out" 2>/dev/null
done
expect "$doc" "| $(rate tiny neurons 1) Hz (neurons), $(rate tiny noise 1) Hz (noise) |"
expect "$doc" "| $(rate cuba exc 1) / $(rate cuba inh 1) Hz (exc / inh) |"
expect "$doc" "| $(rate coba exc 1) / $(rate coba inh 1) Hz |"
expect "$doc" "Expected: exc $(rate cuba exc 2) Hz, inh $(rate cuba inh 2) Hz with the file's seed"
expect "$doc" "Expected, with the file's seed: exc $(rate coba exc 1) Hz, inh $(rate coba inh 1) Hz"
expect "$repo/examples/networks/cuba.textproto" "with this seed exc $(rate cuba exc 2) Hz, inh $(rate cuba inh 2) Hz"
expect "$repo/examples/networks/coba.textproto" "with this seed exc $(rate coba exc 1) Hz, inh $(rate coba inh 1) Hz"
exit $status
