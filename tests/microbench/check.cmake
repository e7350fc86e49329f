# Runs firmware/microbench under mcusim and compares its `microbench: <name>
# <cycles>` lines with an expected-<device>.txt file.
#
#   cmake -DMCUSIM=<mcusim> -DELF=<microbench-dev.elf> -DDEVICE=<dev>
#         -DEXPECTED=<expected-dev.txt>
#         [-DARGS=<extra mcusim run args, separated by @@>]
#         [-DSUFFIX=<appended to every measured name, e.g. _ws5>]
#         [-DONLY=<regex: compare only the names matching it>]
#         [-DEXCLUDE=<regex: ignore the names matching it>]
#         -P check.cmake
#
# Expected file: `<name> <cycles>` per line; `#` starts a comment. A line
# ending in `# MISMATCH mcusim=<n>` is a known disagreement between the
# published figure and mcusim: it is reported but does not fail the test.
# Fails, listing every problem, on: a value that differs, an expected name
# that mcusim did not print, a printed name with no expectation, or a
# non-zero exit of mcusim.

foreach(v MCUSIM ELF DEVICE EXPECTED)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "check.cmake: -D${v}=... is required")
  endif()
endforeach()
if(NOT EXISTS "${ELF}")
  message(FATAL_ERROR "check.cmake: firmware image ${ELF} does not exist (build the firmware first)")
endif()
if(NOT EXISTS "${EXPECTED}")
  message(FATAL_ERROR "check.cmake: expected file ${EXPECTED} does not exist")
endif()

set(extra "")
if(DEFINED ARGS AND NOT "${ARGS}" STREQUAL "")
  string(REPLACE "@@" ";" extra "${ARGS}")
endif()

function(mb_selected name out)
  set(keep TRUE)
  if(DEFINED ONLY AND NOT "${ONLY}" STREQUAL "" AND NOT name MATCHES "${ONLY}")
    set(keep FALSE)
  endif()
  if(DEFINED EXCLUDE AND NOT "${EXCLUDE}" STREQUAL "" AND name MATCHES "${EXCLUDE}")
    set(keep FALSE)
  endif()
  set(${out} ${keep} PARENT_SCOPE)
endfunction()

# ---- expectations --------------------------------------------------------------
file(STRINGS "${EXPECTED}" lines)
set(names "")
set(problems "")
foreach(line IN LISTS lines)
  string(STRIP "${line}" line)
  if(line STREQUAL "" OR line MATCHES "^#")
    continue()
  endif()
  if(NOT line MATCHES "^([A-Za-z0-9_]+)[ \t]+([0-9]+)[ \t]*(#.*)?$")
    list(APPEND problems "malformed line in ${EXPECTED}: '${line}'")
    continue()
  endif()
  set(name "${CMAKE_MATCH_1}")
  set(value "${CMAKE_MATCH_2}")
  set(comment "${CMAKE_MATCH_3}")
  mb_selected("${name}" keep)
  if(NOT keep)
    continue()
  endif()
  if(DEFINED exp_${name})
    list(APPEND problems "${name}: listed twice in ${EXPECTED}")
  endif()
  list(APPEND names "${name}")
  set(exp_${name} "${value}")
  set(known_${name} "")
  if(comment MATCHES "MISMATCH[ \t]+mcusim=(-?[0-9]+)")
    set(known_${name} "${CMAKE_MATCH_1}")
  elseif(comment MATCHES "MISMATCH")
    set(known_${name} "?")
  endif()
endforeach()

# ---- run -----------------------------------------------------------------------------
set(cmd "${MCUSIM}" run "${ELF}" --device "${DEVICE}" --timeout 60 ${extra})
string(REPLACE ";" " " shown "${cmd}")
message(STATUS "running: ${shown}")
execute_process(COMMAND ${cmd}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "0")
  message(FATAL_ERROR "mcusim exited with ${rc}\n--- stdout\n${out}\n--- stderr\n${err}")
endif()

string(REGEX MATCHALL "microbench: [A-Za-z0-9_]+ -?[0-9]+" found "${out}")
set(measured "")
foreach(f IN LISTS found)
  string(REGEX MATCH "microbench: ([A-Za-z0-9_]+) (-?[0-9]+)" _ "${f}")
  set(name "${CMAKE_MATCH_1}${SUFFIX}")
  mb_selected("${name}" keep)
  if(NOT keep)
    continue()
  endif()
  list(APPEND measured "${name}")
  set(got_${name} "${CMAKE_MATCH_2}")
endforeach()

# ---- compare -------------------------------------------------------------------------
set(report "")
set(known "")
foreach(name IN LISTS names)
  if(NOT DEFINED got_${name})
    list(APPEND problems "${name}: expected ${exp_${name}}, but mcusim printed no result")
    continue()
  endif()
  set(e "${exp_${name}}")
  set(g "${got_${name}}")
  string(APPEND report "  ${name}: expected ${e}, mcusim ${g}")
  if(NOT known_${name} STREQUAL "")
    string(APPEND report "  (known mismatch)\n")
    if(g EQUAL e)
      list(APPEND known "${name}: marked MISMATCH but now agrees (${g}): remove the mark")
    elseif(NOT known_${name} STREQUAL "?" AND NOT g EQUAL known_${name})
      list(APPEND known "${name}: expected ${e}, mcusim ${g} (the mark records mcusim=${known_${name}})")
    else()
      list(APPEND known "${name}: expected ${e}, mcusim ${g}")
    endif()
  elseif(g EQUAL e)
    string(APPEND report "\n")
  else()
    string(APPEND report "  <-- MISMATCH\n")
    list(APPEND problems "${name}: expected ${e}, mcusim ${g}")
  endif()
endforeach()
foreach(name IN LISTS measured)
  if(NOT DEFINED exp_${name})
    list(APPEND problems "${name}: mcusim printed ${got_${name}}, but ${EXPECTED} has no expectation for it")
  endif()
endforeach()

message(STATUS "microbench ${DEVICE}${SUFFIX}:\n${report}")
if(known)
  string(REPLACE ";" "\n  " k "${known}")
  message(STATUS "known mismatches (not failing; see ${EXPECTED}):\n  ${k}")
endif()
if(problems)
  string(REPLACE ";" "\n  " p "${problems}")
  message(FATAL_ERROR "microbench ${DEVICE}${SUFFIX}: ${EXPECTED}:\n  ${p}")
endif()
list(LENGTH names n)
message(STATUS "microbench ${DEVICE}${SUFFIX}: ${n} results checked")
