# Runs the same `mcusim sweep` with --jobs 1 and --jobs 2 and checks that the
# two tables are byte-identical (rows in list order, not completion order).
#   cmake -DCMD=<@@-list> -P check_sweep_jobs.cmake
string(REPLACE "@@" ";" CMD "${CMD}")
set(fail "")
foreach(jobs 1 2)
  execute_process(COMMAND ${CMD} --jobs ${jobs} RESULT_VARIABLE rc OUTPUT_VARIABLE out_${jobs} ERROR_VARIABLE err
                  INPUT_FILE /dev/null TIMEOUT 120)
  if(NOT rc EQUAL 0)
    string(APPEND fail "--jobs ${jobs}: exit code ${rc}, expected 0\n${err}\n")
  endif()
endforeach()
if(NOT out_1 STREQUAL out_2)
  string(APPEND fail "the tables differ\n--- --jobs 1:\n${out_1}\n--- --jobs 2:\n${out_2}\n")
endif()
if(NOT out_1 MATCHES "latency-optimal: ")
  string(APPEND fail "no table:\n${out_1}\n")
endif()
if(fail)
  message(FATAL_ERROR "${fail}")
endif()
