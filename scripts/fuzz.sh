#!/usr/bin/env bash
# Runs one fuzz target for a while (docs/reliability.md, "Fuzzing").
#   scripts/fuzz.sh TARGET [SECONDS] [extra libFuzzer flags...]
# TARGET: network, core_image, link_frame, daemon, or "all" (each target for
# SECONDS, one after another). SECONDS defaults to 600. Builds the fuzz
# preset first. The committed corpus (tests/fuzz/corpus/TARGET) is read,
# never written: new inputs go to build/fuzz/corpus/TARGET, crashes and
# slow inputs to build/fuzz/artifacts/TARGET/. Exits non-zero on a finding.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(network core_image link_frame daemon)
target=${1:?usage: scripts/fuzz.sh TARGET|all [SECONDS] [libFuzzer flags...]}
seconds=${2:-600}
shift $(( $# >= 2 ? 2 : 1 ))

if [[ $target == all ]]; then
  status=0
  for t in "${targets[@]}"; do "$0" "$t" "$seconds" "$@" || status=1; done
  exit $status
fi
[[ " ${targets[*]} " == *" $target "* ]] || { echo "fuzz: unknown target '$target' (${targets[*]})" >&2; exit 2; }

if [[ ${SPINDLE_FUZZ_NO_BUILD:-} != 1 ]]; then
  scripts/build.sh fuzz >/dev/null
fi

work=build/fuzz/corpus/$target
artifacts=build/fuzz/artifacts/$target
mkdir -p "$work" "$artifacts"
dict=()
[[ -f tests/fuzz/$target.dict ]] && dict=(-dict="tests/fuzz/$target.dict")
# -timeout: an input slower than this is a finding (a hang). -rss_limit_mb:
# so is one that makes the process grow past it. The longest input
# libFuzzer makes defaults to the longest in the corpus.
exec build/fuzz/tests/fuzz/fuzz_"$target" "$work" "tests/fuzz/corpus/$target" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 "${dict[@]}" "$@"
