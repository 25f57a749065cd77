# Board description: ARM MPS2 FPGA board with the AN386 image (Cortex-M4F,
# 25 MHz), as QEMU 7.2 models it (`-M mps2-an386`). Everything the build, the
# linker script and the QEMU tests need to know about the board is here.
set(SPINDLE_BOARD_QEMU_MACHINE mps2-an386)
set(SPINDLE_BOARD_SOURCES startup.cpp board.cpp uart.cpp timer.cpp)

# Memory map: <region> <origin> <length> <attributes>. FLASH holds the image
# (SSRAM1, which the board loads like flash), RAM the data, bss and stack.
set(SPINDLE_BOARD_MEMORY
  FLASH 0x00000000 4M rx
  RAM   0x20000000 4M rwx   # SSRAM2/3
  PSRAM 0x21000000 16M rwx  # unused for now: room for bigger core images
)
set(SPINDLE_BOARD_STACK_REGION RAM)
set(SPINDLE_BOARD_STACK_SIZE 16K)

# Self-test image: six cores (~80 KB of state each) fit easily in 4 MB.
set(SPINDLE_BOARD_SELFTEST_MAX_CORES 8)
set(SPINDLE_BOARD_SELFTEST_NETWORK multi-core)
set(SPINDLE_BOARD_SELFTEST_TICKS 1000)

# Core server image (link protocol): the core image buffer and the outbox
# (as large as the native engine's, so no run can differ by a full outbox).
set(SPINDLE_BOARD_LINK_IMAGE_BYTES 1048576)
set(SPINDLE_BOARD_LINK_OUTBOX_CAPACITY 4096)

# Flashing: none. The AN386 image is a QEMU / FPGA-board target; on the real
# MPS2 the .bin is copied to the board's SD card (images.txt), not flashed.
set(SPINDLE_BOARD_OPENOCD_CONFIG "")
