#!/bin/bash
# Reads a board image's spindle_clock_status word (docs/boards.md, "Clocks")
# through the QEMU monitor once the image has booted, and compares it with
# the expected value. The core-server image is used because it waits for the
# host instead of exiting, so its memory is still there to read.
# Usage: clock_status.sh QEMU MACHINE ELF NM EXPECTED(0x...)
set -euo pipefail
qemu=$1 machine=$2 elf=$3 nm=$4 expected=$5

addr=$("$nm" "$elf" | awk '$3 == "spindle_clock_status" {print $1}')
if [ -z "$addr" ]; then
  echo "FAIL: no spindle_clock_status symbol in $elf"
  exit 1
fi
# The boot's two bounded waits take well under a second of emulation, but a
# loaded host may start QEMU late: read the word once a second until it holds
# the expected value or 20 reads have been made, and judge the last read.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
last_read() {
  tr -d '\r' <"$log" | grep -a -o -E "^[0-9a-f]+: 0x[0-9a-f]{8}" | tail -n 1 | awk '{print $2}'
}
(
  for _ in $(seq 20); do
    sleep 1
    echo "xp /1wx 0x$addr"
    sleep 0.2
    v=$(last_read)
    if [ -n "$v" ] && [ $((v)) -eq $((expected)) ]; then break; fi
  done
  echo quit
) | timeout 60 "$qemu" -M "$machine" -display none -serial null -monitor stdio -kernel "$elf" >"$log" 2>&1 || true
value=$(last_read)
echo "spindle_clock_status at 0x$addr: ${value:-unread} (expected $expected)"
if [ -z "$value" ]; then
  echo "FAIL: the QEMU monitor did not answer"
  exit 1
fi
[ $((value)) -eq $((expected)) ] || { echo "FAIL: clock status differs"; exit 1; }
