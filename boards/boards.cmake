# The boards, and where the host build puts each one's cross build. Included
# by boards/CMakeLists.txt (cross build), boards/arm_images.cmake and
# tests/qemu/CMakeLists.txt (host build), so all three agree. Safe to include
# more than once (it only sets variables and defines commands).

set(SPINDLE_BOARDS mps2-an386 netduinoplus2)
# The board a run under QEMU uses when none is named (CLI, daemon).
set(SPINDLE_DEFAULT_BOARD mps2-an386)
set(SPINDLE_BOARDS_DIR ${CMAKE_CURRENT_LIST_DIR})

# Reads boards/<board>/board.cmake into the caller's scope (SPINDLE_BOARD_*).
macro(spindle_load_board board)
  if(NOT EXISTS ${SPINDLE_BOARDS_DIR}/${board}/board.cmake)
    message(FATAL_ERROR "Unknown board '${board}'; boards: ${SPINDLE_BOARDS}")
  endif()
  include(${SPINDLE_BOARDS_DIR}/${board}/board.cmake)
endmacro()

# Paths of a board's cross build inside the host build tree, as
# <prefix>_BINARY_DIR, <prefix>_BUNDLE (the self-test bundle it embeds),
# <prefix>_ELF, <prefix>_CORE_ELF (the link core server) and <prefix>_BAD_ELF / <prefix>_BAD_BUNDLE (the same firmware
# around a corrupt bundle, which must fail: checks that a failing board run
# fails its test).
function(spindle_board_paths board prefix)
  set(dir ${CMAKE_BINARY_DIR}/arm/${board})
  set(${prefix}_BINARY_DIR ${dir} PARENT_SCOPE)
  set(${prefix}_BUNDLE ${CMAKE_BINARY_DIR}/arm/${board}.bundle PARENT_SCOPE)
  set(${prefix}_ELF ${dir}/boards/spindle-${board}.elf PARENT_SCOPE)
  set(${prefix}_BAD_ELF ${dir}/boards/spindle-${board}-bad-bundle.elf PARENT_SCOPE)
  set(${prefix}_BAD_BUNDLE ${dir}/boards/bad.bundle PARENT_SCOPE)
  set(${prefix}_CORE_ELF ${dir}/boards/spindle-core-${board}.elf PARENT_SCOPE)
  # The firmware counting image (bench/firmware_counts) and its core images,
  # for boards with SPINDLE_BOARD_INSTRUCTION_COUNTER.
  set(${prefix}_COUNTS_BUNDLE ${CMAKE_BINARY_DIR}/arm/${board}.counts.bundle PARENT_SCOPE)
  set(${prefix}_COUNTS_ELF ${dir}/boards/spindle-counts-${board}.elf PARENT_SCOPE)
endfunction()
