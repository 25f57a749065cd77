# The boards manifest: every board.cmake turned into one JSON document, so the
# host tools read the same board facts the cross build uses (board.cmake stays
# the one source of truth). Included by the host build (host/CMakeLists.txt).
#
# spindle_write_boards_manifest(JSON_OUT CPP_OUT) writes
#   JSON_OUT  the manifest, for any tool (docs/boards.md describes the fields)
#   CPP_OUT   the same text as `spindle::host::kBoardsManifestJson`, compiled
#             into the host tools so they need no file at run time
# at configure time. CMake re-runs when a board.cmake changes (include()
# makes each one a configure dependency).
include(${CMAKE_CURRENT_LIST_DIR}/boards.cmake)

function(spindle_json_string out value)
  string(REPLACE "\\" "\\\\" value "${value}")
  string(REPLACE "\"" "\\\"" value "${value}")
  set(${out} "\"${value}\"" PARENT_SCOPE)
endfunction()

function(spindle_json_string_list out)
  set(items "")
  foreach(v IN LISTS ARGN)
    spindle_json_string(q "${v}")
    list(APPEND items "${q}")
  endforeach()
  list(JOIN items ", " joined)
  set(${out} "[${joined}]" PARENT_SCOPE)
endfunction()

function(spindle_write_boards_manifest json_out cpp_out)
  set(boards_json "")
  foreach(board IN LISTS SPINDLE_BOARDS)
    # A field one board leaves out must not come from the board before it.
    foreach(field DESCRIPTION CPU CONSOLE QEMU_MACHINE FLASH_METHOD FLASH_ADDRESS MASS_STORAGE_FILE PYOCD_TARGET
            OPENOCD_CONFIGS MEMORY)
      unset(SPINDLE_BOARD_${field})
    endforeach()
    spindle_load_board(${board})
    spindle_board_paths(${board} arm)
    foreach(field DESCRIPTION CPU CONSOLE QEMU_MACHINE FLASH_METHOD FLASH_ADDRESS MASS_STORAGE_FILE PYOCD_TARGET)
      if(NOT DEFINED SPINDLE_BOARD_${field})
        message(FATAL_ERROR "boards/${board}/board.cmake does not set SPINDLE_BOARD_${field}")
      endif()
    endforeach()
    foreach(field DESCRIPTION CPU CONSOLE)
      if(SPINDLE_BOARD_${field} MATCHES ";")
        message(FATAL_ERROR "boards/${board}/board.cmake: SPINDLE_BOARD_${field} holds a ';' (a CMake list separator)")
      endif()
    endforeach()
    if(NOT SPINDLE_BOARD_FLASH_METHOD MATCHES "^(swd|mass-storage)$")
      message(FATAL_ERROR "boards/${board}/board.cmake: SPINDLE_BOARD_FLASH_METHOD is "
        "'${SPINDLE_BOARD_FLASH_METHOD}', not swd or mass-storage")
    endif()

    # Memory map: <region> <origin> <length> <attributes> per region.
    set(regions "")
    list(LENGTH SPINDLE_BOARD_MEMORY n_fields)
    math(EXPR last "${n_fields} - 1")
    foreach(i RANGE 0 ${last} 4)
      math(EXPR i1 "${i} + 1")
      math(EXPR i2 "${i} + 2")
      list(GET SPINDLE_BOARD_MEMORY ${i} name)
      list(GET SPINDLE_BOARD_MEMORY ${i1} origin)
      list(GET SPINDLE_BOARD_MEMORY ${i2} length)
      list(APPEND regions "{\"region\": \"${name}\", \"origin\": \"${origin}\", \"length\": \"${length}\"}")
    endforeach()
    list(JOIN regions ", " regions)

    set(fields "")
    foreach(field DESCRIPTION CPU CONSOLE QEMU_MACHINE)
      string(TOLOWER ${field} key)
      spindle_json_string(v "${SPINDLE_BOARD_${field}}")
      list(APPEND fields "\"${key}\": ${v}")
    endforeach()
    spindle_json_string(method "${SPINDLE_BOARD_FLASH_METHOD}")
    spindle_json_string(address "${SPINDLE_BOARD_FLASH_ADDRESS}")
    spindle_json_string(mass_storage "${SPINDLE_BOARD_MASS_STORAGE_FILE}")
    spindle_json_string(pyocd "${SPINDLE_BOARD_PYOCD_TARGET}")
    spindle_json_string_list(openocd ${SPINDLE_BOARD_OPENOCD_CONFIGS})
    # Where this build tree's cross build of the board is (present only when
    # the host build was configured with SPINDLE_BUILD_ARM=ON).
    if(SPINDLE_BUILD_ARM)
      set(built true)
    else()
      set(built false)
    endif()
    spindle_json_string(build_dir "${arm_BINARY_DIR}")
    spindle_json_string(elf "${arm_ELF}")
    string(REGEX REPLACE "\\.elf$" ".bin" bin_path "${arm_ELF}")
    spindle_json_string(bin "${bin_path}")
    spindle_json_string(core_elf "${arm_CORE_ELF}")
    string(REGEX REPLACE "\\.elf$" ".bin" core_bin_path "${arm_CORE_ELF}")
    spindle_json_string(core_bin "${core_bin_path}")
    list(APPEND fields
      "\"memory\": [${regions}]"
      "\"flash\": {\"method\": ${method}, \"address\": ${address}, \"openocd_configs\": ${openocd}, \"pyocd_target\": ${pyocd}, \"mass_storage_file\": ${mass_storage}}"
      "\"image\": {\"cross_built\": ${built}, \"build_dir\": ${build_dir}, \"elf\": ${elf}, \"bin\": ${bin}, \"core_elf\": ${core_elf}, \"core_bin\": ${core_bin}}")
    list(JOIN fields ",\n      " fields)
    spindle_json_string(name "${board}")
    list(APPEND boards_json "    {\n      \"name\": ${name},\n      ${fields}\n    }")
  endforeach()
  list(JOIN boards_json ",\n" boards_json)
  if(NOT SPINDLE_DEFAULT_BOARD IN_LIST SPINDLE_BOARDS)
    message(FATAL_ERROR "SPINDLE_DEFAULT_BOARD '${SPINDLE_DEFAULT_BOARD}' is not one of SPINDLE_BOARDS (${SPINDLE_BOARDS})")
  endif()
  spindle_json_string(default_board "${SPINDLE_DEFAULT_BOARD}")
  set(json "{\n  \"default_board\": ${default_board},\n  \"boards\": [\n${boards_json}\n  ]\n}\n")
  file(CONFIGURE OUTPUT ${json_out} CONTENT "${json}" @ONLY)
  file(CONFIGURE OUTPUT ${cpp_out} CONTENT
"// Generated from boards/*/board.cmake by boards/manifest.cmake; do not edit.
#include \"boards/boards.h\"

namespace spindle::host {
extern const char kBoardsManifestJson[] = R\"spindle_json(${json})spindle_json\";
}  // namespace spindle::host
" @ONLY)
endfunction()
