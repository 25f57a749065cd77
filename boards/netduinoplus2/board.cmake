# Board description: Netduino Plus 2 (STM32F405RG, Cortex-M4F), as QEMU 7.2
# models it (`-M netduinoplus2`). Everything the build, the linker script and
# the QEMU tests need to know about the board is here.
set(SPINDLE_BOARD_QEMU_MACHINE netduinoplus2)
set(SPINDLE_BOARD_SOURCES startup.cpp board.cpp clock.cpp uart.cpp timer.cpp)

# Memory map: <region> <origin> <length> <attributes>. Flash is aliased at 0
# for booting; the image is linked at its real address.
set(SPINDLE_BOARD_MEMORY
  FLASH 0x08000000 1M rx
  RAM   0x20000000 128K rwx
  CCM   0x10000000 64K rw   # core-coupled RAM (CPU only): QEMU 7.2 does not model it, so unused
)
# QEMU 7.2 maps 192 KB of SRAM and no CCM; the linker keeps to the part's real
# 128 KB so the image runs on both.
set(SPINDLE_BOARD_STACK_REGION RAM)
set(SPINDLE_BOARD_STACK_SIZE 16K)

# Self-test image: one core (~80 KB of state) is all 128 KB of SRAM holds.
set(SPINDLE_BOARD_SELFTEST_MAX_CORES 1)
set(SPINDLE_BOARD_SELFTEST_NETWORK single-core)
set(SPINDLE_BOARD_SELFTEST_TICKS 1000)

# Core server image (link protocol): what is left of 128 KB next to one core
# (~80 KB) and the stack: a 16 KB core image buffer and a 512-packet outbox.
set(SPINDLE_BOARD_LINK_IMAGE_BYTES 16384)
set(SPINDLE_BOARD_LINK_OUTBOX_CAPACITY 512)

# What docs/boards.md and `spindle boards` / `spindle flash` show.
set(SPINDLE_BOARD_DESCRIPTION "Netduino Plus 2 (STM32F405RG), or any STM32F405 board")
set(SPINDLE_BOARD_CPU "Cortex-M4F, 168 MHz from the PLL (16 MHz HSI fallback)")
set(SPINDLE_BOARD_CONSOLE "USART1 on PA9 (TX) / PA10 (RX), 115200 8N1")

# Flashing a real STM32F405 over SWD. The Netduino has no on-board probe: an
# ST-LINK on its SWD pads (OpenOCD 0.12's interface/stlink.cfg picks the HLA
# SWD transport). pyOCD has no built-in STM32F405 target; it needs the
# Keil.STM32F4xx_DFP pack (`pyocd pack install stm32f405rgtx`).
set(SPINDLE_BOARD_FLASH_METHOD swd)
set(SPINDLE_BOARD_FLASH_ADDRESS 0x08000000)
set(SPINDLE_BOARD_MASS_STORAGE_FILE "")
set(SPINDLE_BOARD_OPENOCD_CONFIGS interface/stlink.cfg target/stm32f4x.cfg)
set(SPINDLE_BOARD_PYOCD_TARGET stm32f405rgtx)

# Firmware instruction counts (bench/firmware_counts): QEMU clocks TIM2 at
# 1 GHz, so under -icount shift=0 it counts single instructions.
set(SPINDLE_BOARD_INSTRUCTION_COUNTER stm32_tim2)
