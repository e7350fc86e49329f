# Runs mcusim with --report=json and writes the report without its "host"
# member (wall time, MIPS), or compares it with a golden file.
#   cmake -DMCUSIM=<exe> -DELF=<elf> -DDEVICE=<name> -DOUT=<file> [-DGOLDEN=<file>] -P report_json.cmake
execute_process(COMMAND ${MCUSIM} run ${ELF} --device ${DEVICE} -q --report=json --report-out ${OUT}.full --no-db
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err TIMEOUT 120)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mcusim exited with ${rc}: ${err}")
endif()
file(READ ${OUT}.full json)
string(JSON json REMOVE "${json}" host)
file(WRITE ${OUT} "${json}\n")
if(DEFINED GOLDEN)
  file(READ ${GOLDEN} want)
  file(READ ${OUT} got)
  if(NOT want STREQUAL got)
    message(FATAL_ERROR "report for ${ELF} on ${DEVICE} differs from ${GOLDEN}\n(if the change is intended: scripts/update-golden, then review the diff)\n"
                        "got:\n${got}")
  endif()
endif()
