# Cross toolchain for the Cortex-M4F boards (arm-none-eabi GCC + newlib-nano).
# Used by the arm-* presets and by boards/arm_images.cmake from the host build.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
find_program(CMAKE_OBJCOPY arm-none-eabi-objcopy REQUIRED)
find_program(SPINDLE_ARM_SIZE arm-none-eabi-size REQUIRED)

# Linking a test executable needs a linker script and startup code, which only
# a board provides; the compiler checks therefore build a static library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(SPINDLE_ARM_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
# Sections per function/object so --gc-sections drops what the image never
# calls; no exceptions/RTTI (firmware contract); no thread-safe statics (one
# thread, and the guard functions would pull in libstdc++ support code).
set(SPINDLE_ARM_COMMON_FLAGS "${SPINDLE_ARM_CPU_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_C_FLAGS_INIT "${SPINDLE_ARM_COMMON_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT
    "${SPINDLE_ARM_COMMON_FLAGS} -fno-exceptions -fno-rtti -fno-threadsafe-statics")
set(CMAKE_ASM_FLAGS_INIT "${SPINDLE_ARM_CPU_FLAGS}")
# newlib-nano for the few libc routines used (memcpy, memset). No syscall stubs
# (no nosys.specs): anything that would reach for the heap (_sbrk) fails to link.
# --no-warn-execstack: newlib's assembly objects lack .note.GNU-stack, which
# binutils 2.39+ warns about; a bare-metal image has no such thing as an
# executable-stack flag.
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "${SPINDLE_ARM_CPU_FLAGS} --specs=nano.specs -Wl,--gc-sections -Wl,--no-warn-execstack")

# Find programs on the host, libraries and headers only in the cross sysroot.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
