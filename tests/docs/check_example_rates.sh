#!/usr/bin/env bash
# The rates docs/examples.md and the networks' header comments quote for
# tiny, CUBA and COBA with the files' seeds, COBA's statistics after its
# kick for tests/models/coba_test.cpp's seeds and with w_inh 10% low, the
# 10% microcircuit's per-population rates, the cores each network maps
# onto, the homeostasis and neuron-mode examples' rates and the distal-reward
# example's final weights, against what `spindle run`
# prints and writes for them.
#   check_example_rates.sh SPINDLE_BIN REPO_DIR
set -euo pipefail
bin=$1 repo=$2
doc=$repo/docs/examples.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
# The rate `spindle run` prints for population $2 of run $1, to $3 decimals.
rate() { awk -v p="$2" -v d="$3" '$1 == p && NF == 4 { printf "%.*f", d, $4 }' "$work/$1.out"; }
# The size `spindle run` prints for population $2 of run $1.
size() { awk -v p="$2" '$1 == p && NF == 4 { print $2 }' "$work/$1.out"; }
# The cores run $1 mapped onto, from its summary line.
cores() { grep -o '[0-9]* cores' "$work/$1.out" | head -n 1 | cut -d ' ' -f 1; }
# The rate of population $2 of run $1 over [$3, $4) ms from its spikes.csv,
# to 2 decimals (a spike of tick t is at t x dt ms).
window_rate() {
  awk -F, -v p="$2" -v n="$(size "$1" "$2")" -v from="$3" -v to="$4" 'NR > 1 && $1 == p && $3 >= from { k++ }
    END { printf "%.2f", k / n / ((to - from) / 1000) }' "$work/$1/spikes.csv"
}
# COBA run $1 over [50, 1000) ms (after the kick), as coba_test computes it:
# "exc-mean inh-mean exc-median exc-CV" of the per-neuron rates (median: the
# mean of the middle two; CV: population sd / mean).
after_kick() {
  local n_exc inh
  n_exc=$(size "$1" exc)
  awk -F, -v n="$n_exc" 'NR > 1 && $1 == "exc" && $3 >= 50 { c[$2]++ }
    END { for (i = 0; i < n; i++) printf "%.12g\n", c[i] / 0.95 }' "$work/$1/spikes.csv" | sort -g >"$work/$1.exc_rates"
  inh=$(awk -F, -v n="$(size "$1" inh)" 'NR > 1 && $1 == "inh" && $3 >= 50 { k++ }
    END { printf "%.12g", k / n / 0.95 }' "$work/$1/spikes.csv")
  awk -v n="$n_exc" -v inh="$inh" '{ s += $1; ss += $1 * $1 } NR == n / 2 || NR == n / 2 + 1 { med += $1 / 2 }
    END { m = s / n; printf "%.12g %.12g %.12g %.12g\n", m, inh, med, sqrt(ss / n - m * m) / m }' "$work/$1.exc_rates"
}
expect() {  # FILE TEXT: TEXT must be in FILE
  if grep -qF -- "$2" "$1"; then echo "ok: $(basename "$1"): $2"
  else echo "FAIL: $(basename "$1") does not say '$2' (what spindle run prints)"; status=1; fi
}
run() {  # NAME NETWORK [ARGS]: `spindle run` into $work/NAME, its stdout in $work/NAME.out
  local name=$1 net=$2
  shift 2
  "$bin" run "$net" "$@" --out "$work/$name" >"$work/$name.out" 2>"$work/$name.err" ||
    { echo "FAIL: spindle run $net $* exited $?:"; cat "$work/$name.err"; exit 1; }
}
for net in tiny cuba coba; do run "$net" "$repo/examples/networks/$net.textproto"; done
expect "$doc" "| $(rate tiny neurons 1) Hz (neurons), $(rate tiny noise 1) Hz (noise) |"
expect "$doc" "| $(rate cuba exc 1) / $(rate cuba inh 1) Hz (exc / inh) |"
expect "$doc" "| $(rate coba exc 1) / $(rate coba inh 1) Hz |"
expect "$doc" "Expected: exc $(rate cuba exc 2) Hz, inh $(rate cuba inh 2) Hz with the file's seed"
expect "$doc" "Expected, with the file's seed: exc $(rate coba exc 1) Hz, inh $(rate coba inh 1) Hz"
expect "$repo/examples/networks/cuba.textproto" "with this seed exc $(rate cuba exc 2) Hz, inh $(rate cuba inh 2) Hz"
expect "$repo/examples/networks/coba.textproto" "with this seed exc $(rate coba exc 1) Hz, inh $(rate coba inh 1) Hz"

# COBA after the kick with the seeds coba_test runs: the file's, 1 and 2.
run coba_seed1 "$repo/examples/networks/coba.textproto" --seed 1
run coba_seed2 "$repo/examples/networks/coba.textproto" --seed 2
for r in coba coba_seed1 coba_seed2; do after_kick "$r"; done >"$work/coba_stats"
expect "$doc" "$(awk '{ e[NR] = $1; i[NR] = $2; med += $3; cv += $4 }
  END { printf "| Spindle, 3 seeds (test seeds) | %.1f (%.1f, %.1f, %.1f) | %.1f (%.1f, %.1f, %.1f) | %.1f | %.2f |",
        (e[1] + e[2] + e[3]) / 3, e[1], e[2], e[3], (i[1] + i[2] + i[3]) / 3, i[1], i[2], i[3], med / 3, cv / 3 }' \
  "$work/coba_stats")"

# The coba_test power check: COBA with w_inh 10% low (0.051 -> 0.0459 uS).
sed 's/weight { constant: 0\.051 }/weight { constant: 0.0459 }/' "$repo/examples/networks/coba.textproto" \
  >"$work/coba_winh_low.textproto"
if [[ $(grep -c 'constant: 0\.0459 }' "$work/coba_winh_low.textproto") != 2 ]]; then
  echo "FAIL: coba.textproto no longer has two inhibitory weights 'constant: 0.051'"
  status=1
fi
run coba_winh_low "$work/coba_winh_low.textproto"
expect "$doc" "gives $(rate coba_winh_low exc 1) / $(rate coba_winh_low inh 1) Hz over the whole second instead of $(rate coba exc 1) / $(rate coba inh 1) Hz"

# The 10% microcircuit: per population over the whole second (the summary)
# and over 100..1000 ms (from spikes.csv), in the document's two tables.
run mc "$repo/examples/networks/microcircuit_10pct.textproto"
whole="| Spindle 10%, 0..1000 ms (Hz) |" late="|"
for p in L23E L23I L4E L4I L5E L5I L6E L6I; do
  whole+=" $(rate mc "$p" 2) |"
  late+=" $(window_rate mc "$p" 100 1000) |"
done
expect "$doc" "$whole"
expect "$doc" "| Spindle 10%, 100..1000 ms (Hz) $late"
expect "$doc" "| Spindle, the file's seed $late"
expect "$doc" "map CUBA onto $(cores cuba) cores, COBA onto $(cores coba), the microcircuit onto"

# Homeostasis: the whole run's rates (the summary) and the per-neuron rates
# over 10..20 s from spikes.csv: "mean Hz, min-max Hz" (every neuron, silent
# ones as 0).
neuron_rates() {  # NAME POP FROM TO
  awk -F, -v p="$2" -v n="$(size "$1" "$2")" -v from="$3" -v to="$4" 'NR > 1 && $1 == p && $3 >= from && $3 < to { c[$2]++ }
    END { s = (to - from) / 1000; lo = 1e9; hi = 0
          for (i = 0; i < n; i++) { r = c[i] / s; t += r; if (r < lo) lo = r; if (r > hi) hi = r }
          printf "%.2f Hz, %.1f-%.1f Hz", t / n, lo, hi }' "$work/$1/spikes.csv"
}
run homeostasis "$repo/examples/networks/homeostasis.textproto"
expect "$doc" "| \`homeostasis.textproto\` | "
expect "$doc" "| plain (IF_curr_exp) | $(rate homeostasis plain 2) Hz | $(neuron_rates homeostasis plain 10000 20000) |"
expect "$doc" "| adaptive (IF_curr_exp_adaptive, 10 Hz target) | $(rate homeostasis adaptive 2) Hz | $(neuron_rates homeostasis adaptive 10000 20000) |"

# Neuron modes: each output population's rate in each second (the three
# modes), "a0 / a1 / a2" Hz, from spikes.csv.
phase_rates() {  # NAME POP
  awk -F, -v p="$2" -v n="$(size "$1" "$2")" 'NR > 1 && $1 == p { c[int($3 / 1000)]++ }
    END { printf "%.1f / %.1f / %.1f Hz", c[0] / n, c[1] / n, c[2] / n }' "$work/$1/spikes.csv"
}
run modes "$repo/examples/networks/modes.textproto"
expect "$doc" "| out_a | $(phase_rates modes out_a) |"
expect "$doc" "| out_b | $(phase_rates modes out_b) |"

# Distal reward: each cue projection's final weights, "mean nA (min-max)".
weights() {  # NAME PROJECTION
  awk -F, 'NR > 1 { s += $3; n++; if (n == 1 || $3 < lo) lo = $3; if ($3 > hi) hi = $3 }
    END { printf "%.2f nA (%.2f-%.2f)", s / n, lo, hi }' "$work/$1/$2.weights.csv"
}
run dopamine "$repo/examples/networks/dopamine.textproto"
expect "$doc" "| cue_a (rewarded) | $(weights dopamine cue_a) |"
expect "$doc" "| cue_b | $(weights dopamine cue_b) |"

# Sequence context: each group's spikes in the 100 ms after each B, by
# what came before it (A in even windows 0-8, C in odd ones, nothing from
# 1000 ms on), and the segments' NMDA spikes, "A / C / none".
context_spikes() {  # NAME POP
  awk -F, -v p="$2" 'NR > 1 && $1 == p { w = int($3 / 100); c[w >= 10 ? 2 : w % 2]++ }
    END { printf "%d / %d / %d", c[0], c[1], c[2] }' "$work/$1/spikes.csv"
}
context_nmda() {  # NAME POP
  awk -F, -v p="$2" 'NR > 1 && $1 == p && $4 == "segment_spikes" && $5 != 0 { w = int($3 / 100); c[w >= 10 ? 2 : w % 2]++ }
    END { printf "%d / %d / %d", c[0], c[1], c[2] }' "$work/$1/state.csv"
}
run sequence "$repo/examples/networks/sequence_context.textproto"
expect "$doc" "| b_after_a | $(context_spikes sequence b_after_a) | $(context_nmda sequence b_after_a) |"
expect "$doc" "| b_after_c | $(context_spikes sequence b_after_c) | $(context_nmda sequence b_after_c) |"
exit $status
