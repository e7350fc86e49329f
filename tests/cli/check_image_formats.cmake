# A firmware as ELF, Intel HEX and raw binary (made here with the ARM
# toolchain's objcopy, as a vendor flow makes them) gives the same run:
#   - exit code and firmware output identical for all five runs below;
#   - the .hex and the .bin with --symbols give the ELF's JSON report exactly
#     (functions, source lines, sections, memory, energy), but for the
#     firmware's file name and the host's wall time;
#   - the .hex and the .bin without symbols give the ELF's result and totals
#     (cycles, instructions), and each other's report (profile by address,
#     stack, energy), but for the memory use, where a .bin counts the zero
#     padding objcopy puts between sections.
#   cmake -DMCUSIM=<mcusim> -DOBJCOPY=<arm-none-eabi-objcopy> -DELF=<fw.elf> -DDEVICE=<name> -DDIR=<scratch>
#         [-DLOAD_ADDRESS=<flash base>] -P check_image_formats.cmake
# With LOAD_ADDRESS, a sixth run loads the .bin with --load-address and must equal the .bin run.
get_filename_component(name "${ELF}" NAME_WE)
file(MAKE_DIRECTORY "${DIR}")
set(base "${DIR}/${name}")
# The same base name (and name length) for the three: the firmware's argv[0] is its file name.
file(COPY_FILE "${ELF}" "${base}.elf")
foreach(fmt "ihex;hex" "binary;bin")
  list(GET fmt 0 bfd)
  list(GET fmt 1 ext)
  execute_process(COMMAND "${OBJCOPY}" -O ${bfd} "${base}.elf" "${base}.${ext}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "objcopy -O ${bfd} failed (${rc})")
  endif()
endforeach()

# Each run: NAME|EXTENSION[@@OPTION...]
set(runs "elf|elf" "hex|hex" "bin|bin" "hex-symbols|hex@@--symbols@@${base}.elf" "bin-symbols|bin@@--symbols@@${base}.elf")
if(DEFINED LOAD_ADDRESS)
  list(APPEND runs "bin-load-address|bin@@--load-address@@${LOAD_ADDRESS}")
endif()
set(fail "")
foreach(run IN LISTS runs)
  string(REPLACE "|" ";" run "${run}")
  list(GET run 0 what)
  list(GET run 1 how)
  string(REPLACE "@@" ";" how "${how}")
  list(POP_FRONT how ext)
  execute_process(COMMAND "${MCUSIM}" run "${base}.${ext}" ${how} --device ${DEVICE} --no-db -q --report=json
                  RESULT_VARIABLE rc_${what} OUTPUT_VARIABLE json ERROR_VARIABLE err_${what} INPUT_FILE /dev/null
                  WORKING_DIRECTORY "${DIR}" TIMEOUT 120)
  # The parts that name the file or time the host.
  string(JSON json REMOVE "${json}" firmware)
  string(JSON json REMOVE "${json}" host)
  set(report_${what} "${json}")
  string(JSON result_${what} GET "${json}" result)
  string(JSON totals_${what} GET "${json}" totals)
  string(JSON no_memory_${what} REMOVE "${json}" memory)
endforeach()
foreach(run IN LISTS runs)
  string(REPLACE "|" ";" run "${run}")
  list(GET run 0 what)
  if(NOT "${rc_${what}}" STREQUAL "${rc_elf}")
    string(APPEND fail "${what}: exit code ${rc_${what}}, the ELF's ${rc_elf}\n")
  endif()
  if(NOT "${err_${what}}" STREQUAL "${err_elf}")
    string(APPEND fail "${what}: firmware output (stderr) differs from the ELF's:\n${err_${what}}\n--- ELF:\n${err_elf}\n")
  endif()
endforeach()
if(NOT rc_elf EQUAL 0)
  string(APPEND fail "the ELF run failed (${rc_elf}): ${err_elf}\n")
endif()
foreach(what hex-symbols bin-symbols)
  if(NOT "${report_${what}}" STREQUAL "${report_elf}")
    string(APPEND fail "${what}: report differs from the ELF's\n")
  endif()
endforeach()
foreach(what hex bin)
  foreach(part result totals)
    if(NOT "${${part}_${what}}" STREQUAL "${${part}_elf}")
      string(APPEND fail "${what}: ${part} differ from the ELF's: ${${part}_${what}} / ${${part}_elf}\n")
    endif()
  endforeach()
endforeach()
if(NOT "${no_memory_hex}" STREQUAL "${no_memory_bin}")
  string(APPEND fail "hex and bin without symbols: reports differ (beyond memory use)\n")
endif()
if(DEFINED LOAD_ADDRESS AND NOT "${report_bin-load-address}" STREQUAL "${report_bin}")
  string(APPEND fail "bin with --load-address ${LOAD_ADDRESS}: report differs from the default load address's\n")
endif()
string(JSON cycles GET "${totals_elf}" cycles)
message(STATUS "${name} on ${DEVICE}: ${cycles} cycles from .elf, .hex and .bin")
if(fail)
  message(FATAL_ERROR "${fail}")
endif()
