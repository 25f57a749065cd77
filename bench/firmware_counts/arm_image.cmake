# Cross build (included by boards/CMakeLists.txt): the firmware counting
# image spindle-counts-<board>.elf, for boards whose board.cmake names an
# instruction counter (SPINDLE_BOARD_INSTRUCTION_COUNTER). Its core images
# come from the host tool spindle-counts-bundle (host.cmake), passed in as
# SPINDLE_COUNTS_BUNDLE.
set(SPINDLE_COUNTS_BUNDLE "" CACHE FILEPATH "Core images of the firmware counting image (spindle-counts-bundle OUT)")
if(NOT SPINDLE_BOARD_INSTRUCTION_COUNTER OR NOT SPINDLE_COUNTS_BUNDLE)
  return()
endif()

set(counts_dir ${PROJECT_SOURCE_DIR}/bench/firmware_counts)
set_source_files_properties(${counts_dir}/counts_bundle.S PROPERTIES OBJECT_DEPENDS ${SPINDLE_COUNTS_BUNDLE})
add_executable(spindle-counts-${SPINDLE_BOARD}
  ${counts_dir}/counts_main.cpp
  ${counts_dir}/counter_${SPINDLE_BOARD_INSTRUCTION_COUNTER}.cpp
  ${counts_dir}/counts_bundle.S)
set_target_properties(spindle-counts-${SPINDLE_BOARD} PROPERTIES SUFFIX .elf LINK_DEPENDS "${linker_scripts}")
target_include_directories(spindle-counts-${SPINDLE_BOARD} PRIVATE ${counts_dir})
target_compile_definitions(spindle-counts-${SPINDLE_BOARD} PRIVATE "SPINDLE_COUNTS_BUNDLE_FILE=\"${SPINDLE_COUNTS_BUNDLE}\"")
target_link_libraries(spindle-counts-${SPINDLE_BOARD} PRIVATE spindle_board spindle_selftest spindle_firmware spindle_warnings)
target_link_options(spindle-counts-${SPINDLE_BOARD} PRIVATE -nostartfiles
  -L${CMAKE_CURRENT_BINARY_DIR}/ld -L${CMAKE_CURRENT_SOURCE_DIR}/common -T${board_dir}/linker.ld
  -Wl,-Map=${CMAKE_CURRENT_BINARY_DIR}/spindle-counts-${SPINDLE_BOARD}.map)
