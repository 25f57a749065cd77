# Host build (included by boards/arm_images.cmake): the tool that writes the
# counting image's core images, and per board with an instruction counter the
# bundle file and its make rule. Sets counts_args / counts_deps for the
# board's nested cross build.
if(NOT TARGET spindle-counts-bundle)
  add_executable(spindle-counts-bundle ${CMAKE_CURRENT_LIST_DIR}/counts_bundle_main.cpp)
  target_include_directories(spindle-counts-bundle PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  target_link_libraries(spindle-counts-bundle PRIVATE spindle_host spindle_warnings)
endif()

# Call with the board loaded (spindle_load_board) and its paths (arm_*).
macro(spindle_counts_for_board board)
  set(counts_args "")
  set(counts_deps "")
  if(SPINDLE_BOARD_INSTRUCTION_COUNTER)
    add_custom_command(OUTPUT ${arm_COUNTS_BUNDLE}
      COMMAND spindle-counts-bundle ${arm_COUNTS_BUNDLE}
      DEPENDS spindle-counts-bundle
      COMMENT "Counting-image core images for ${board}"
      VERBATIM)
    add_custom_target(spindle-counts-bundle-${board} DEPENDS ${arm_COUNTS_BUNDLE})
    set(counts_args -DSPINDLE_COUNTS_BUNDLE=${arm_COUNTS_BUNDLE})
    set(counts_deps spindle-counts-bundle-${board})
  endif()
endmacro()
