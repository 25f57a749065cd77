#!/usr/bin/env bash
# examples/selftest/README.md quotes what examples/selftest/run.sh prints:
# the per-core table and the line count and checksum of the run. This runs
# the example natively (run.sh --native-only; the QEMU tests check that the
# ARM image prints the same bytes) and compares.
#   check_selftest_readme.sh REPO_DIR BUILD_DIR
set -euo pipefail
repo=$1 build=$2
readme=$repo/examples/selftest/README.md
got=$("$repo/examples/selftest/run.sh" "$build" --native-only)
table() { sed -n '/^core  what/,/^dropped packets or records/p'; }
summary() { grep -o '[0-9]* lines, checksum [0-9]*'; }
status=0
if ! diff -u --label README.md --label run.sh <(table <"$readme") <(table <<<"$got"); then
  echo "check_selftest_readme.sh: the table in $readme differs from run.sh's (above)"
  status=1
fi
want=$(summary <"$readme") have=$(summary <<<"$got")
if [[ -z $want || $want != "$have" ]]; then
  echo "check_selftest_readme.sh: README.md says '$want', run.sh prints '$have'"
  status=1
fi
((status == 0)) && echo "check_selftest_readme.sh: table and '$have' as in README.md"
exit $status
