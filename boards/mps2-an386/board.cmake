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

# What docs/boards.md and `spindle boards` / `spindle flash` show.
set(SPINDLE_BOARD_DESCRIPTION "ARM MPS2(+) FPGA board with the AN386 Cortex-M4 image")
set(SPINDLE_BOARD_CPU "Cortex-M4F, 25 MHz")
set(SPINDLE_BOARD_CONSOLE "CMSDK UART0 (0x40004000), the board's first USB serial port")

# Flashing: nothing to program over SWD. The MPS2 loads its images at power-up
# from its configuration USB mass storage (the MicroSD card): the .bin is
# copied there and named in the AN386 images.txt (8.3 file names).
set(SPINDLE_BOARD_FLASH_METHOD mass-storage)
set(SPINDLE_BOARD_FLASH_ADDRESS 0x00000000)
set(SPINDLE_BOARD_MASS_STORAGE_FILE SOFTWARE/SPINDLE.BIN)
set(SPINDLE_BOARD_OPENOCD_CONFIGS "")
set(SPINDLE_BOARD_PYOCD_TARGET "")

# No counting image: the CMSDK timers and SysTick run at the 25 MHz system
# clock, one count per 40 instructions under -icount shift=0.
set(SPINDLE_BOARD_INSTRUCTION_COUNTER "")
