# Included by the host build (SPINDLE_BUILD_ARM): cross-builds every board
# image as part of the default build. Per board: the host tool writes the
# self-test bundle, then a nested CMake build with the ARM toolchain (the
# same as `cmake --preset arm-<board>`, in build/<host>/arm/<board>) embeds it.
include(ExternalProject)
include(${CMAKE_CURRENT_LIST_DIR}/boards.cmake)
include(${PROJECT_SOURCE_DIR}/bench/firmware_counts/host.cmake)

foreach(board IN LISTS SPINDLE_BOARDS)
  spindle_load_board(${board})
  spindle_board_paths(${board} arm)

  add_custom_command(OUTPUT ${arm_BUNDLE}
    COMMAND spindle-selftest-bundle ${SPINDLE_BOARD_SELFTEST_NETWORK} ${arm_BUNDLE}
    DEPENDS spindle-selftest-bundle
    COMMENT "Self-test bundle (${SPINDLE_BOARD_SELFTEST_NETWORK}) for ${board}"
    VERBATIM)
  add_custom_target(spindle-bundle-${board} DEPENDS ${arm_BUNDLE})
  spindle_counts_for_board(${board})  # counts_args, counts_deps

  ExternalProject_Add(spindle-arm-${board}
    SOURCE_DIR ${PROJECT_SOURCE_DIR}
    BINARY_DIR ${arm_BINARY_DIR}
    CMAKE_ARGS
      -DCMAKE_TOOLCHAIN_FILE=${CMAKE_CURRENT_LIST_DIR}/toolchain-arm-none-eabi.cmake
      -DCMAKE_BUILD_TYPE=Release
      -DSPINDLE_BOARD=${board}
      -DSPINDLE_SELFTEST_BUNDLE=${arm_BUNDLE}
      -DSPINDLE_WERROR=${SPINDLE_WERROR}
      ${counts_args}
    # -j1: the outer build already runs the board builds side by side, each
    # as one job, so the outer -jN is never exceeded.
    BUILD_COMMAND ${CMAKE_COMMAND} --build ${arm_BINARY_DIR} -j1
    # Source changes are tracked by the nested build itself; always ask it.
    BUILD_ALWAYS ON
    INSTALL_COMMAND ""
    DEPENDS spindle-bundle-${board} ${counts_deps}
    BUILD_BYPRODUCTS ${arm_ELF} ${arm_BAD_ELF} ${arm_CORE_ELF}
  )
endforeach()
