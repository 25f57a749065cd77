#!/usr/bin/env bash
# compare_selftest.sh QEMU MACHINE ELF NATIVE BUNDLE TICKS TIMEOUT_S OUTDIR
#
# Boots a board's self-test image under QEMU and runs the same bundle for the
# same ticks natively (spindle-selftest-native). Passes only if the board
# exited with status 0 (semihosting SYS_EXIT_EXTENDED), the two outputs are
# byte-identical and they end with "end 0". On failure prints every reason
# and a diff.
set -u
if [[ $# -ne 8 ]]; then
  echo "usage: $0 QEMU MACHINE ELF NATIVE BUNDLE TICKS TIMEOUT_S OUTDIR" >&2
  exit 2
fi
qemu=$1 machine=$2 elf=$3 native=$4 bundle=$5 ticks=$6 timeout_s=$7 outdir=$8

if [[ ! -f $elf ]]; then
  echo "FAIL: no board image $elf (the host build makes it when SPINDLE_BUILD_ARM is ON)"
  exit 1
fi
mkdir -p "$outdir"
board_out=$outdir/qemu.out
native_out=$outdir/native.out
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# The UART is QEMU's first serial port, on stdout; no display, no monitor, and
# stdin closed so nothing waits on a terminal.
start_ns=$(date +%s%N)
timeout "$timeout_s" "$qemu" -M "$machine" -display none -monitor none -serial stdio \
  -semihosting-config enable=on,target=native -kernel "$elf" </dev/null >"$board_out"
board_status=$?
elapsed_ms=$((($(date +%s%N) - start_ns) / 1000000))
echo "qemu $machine: status $board_status, $(wc -c <"$board_out") bytes, ${elapsed_ms} ms"

"$native" "$bundle" "$ticks" >"$native_out"
native_status=$?

last=$(tail -n 1 "$board_out")
if [[ $board_status -eq 124 ]]; then
  fail "QEMU timed out after ${timeout_s} s"
elif [[ $board_status -ne 0 ]]; then
  # The last line tells a status the firmware returned ("end <status>") from
  # a crash (fault handler: 128 + exception number) or a QEMU error.
  fail "board exited with status $board_status; its output ends with '$last'"
fi
[[ $native_status -eq 0 ]] || fail "native run exited with status $native_status"

if ! cmp -s "$board_out" "$native_out"; then
  fail "board output ($board_out) differs from native output ($native_out):"
  diff -u --label native --label "qemu $machine" "$native_out" "$board_out" | head -n 60
fi
[[ $last == "end 0" ]] || fail "board output ends with '$last', not 'end 0'"

if [[ $failed -eq 0 ]]; then
  echo "PASS: $(wc -l <"$board_out") lines identical; $(grep '^checksum' "$board_out")"
fi
exit $failed
