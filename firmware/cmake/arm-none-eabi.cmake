# CMake toolchain file for bare-metal Arm Cortex-M with the GNU Arm toolchain
# (arm-none-eabi-gcc + newlib).
#
#   cmake -S firmware -B build-fw \
#         -DCMAKE_TOOLCHAIN_FILE=firmware/cmake/arm-none-eabi.cmake
#
# CPU flags are not set here: they differ per target device and are added per
# executable by firmware/CMakeLists.txt.

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(MCUSIM_TOOLCHAIN_PREFIX "arm-none-eabi-" CACHE STRING "Cross toolchain prefix")

# Allow the toolchain to live outside PATH: -DARM_TOOLCHAIN_DIR=/opt/gcc-arm/bin
set(ARM_TOOLCHAIN_DIR "" CACHE PATH "Directory containing arm-none-eabi-gcc (empty: search PATH)")
if(ARM_TOOLCHAIN_DIR)
  set(_mcusim_tc "${ARM_TOOLCHAIN_DIR}/${MCUSIM_TOOLCHAIN_PREFIX}")
else()
  set(_mcusim_tc "${MCUSIM_TOOLCHAIN_PREFIX}")
endif()

set(CMAKE_C_COMPILER   "${_mcusim_tc}gcc")
set(CMAKE_ASM_COMPILER "${_mcusim_tc}gcc")
set(CMAKE_CXX_COMPILER "${_mcusim_tc}g++")
set(CMAKE_OBJCOPY      "${_mcusim_tc}objcopy" CACHE FILEPATH "objcopy")
set(CMAKE_OBJDUMP      "${_mcusim_tc}objdump" CACHE FILEPATH "objdump")
set(CMAKE_SIZE         "${_mcusim_tc}size"    CACHE FILEPATH "size")

# The compiler cannot link a program without a startup file and linker script,
# so let CMake's compiler checks build a static library instead.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_EXECUTABLE_SUFFIX_C   ".elf")
set(CMAKE_EXECUTABLE_SUFFIX_ASM ".elf")
set(CMAKE_EXECUTABLE_SUFFIX_CXX ".elf")

# Search for programs on the host, for libraries/headers in the target only.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
