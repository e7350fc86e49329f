# The anomaly score of the first WINDOWS windows of SAMPLE: the firmware in
# mcusim (its semihosting directory: the sample's folder) prints the same
# lines as the host build.
#   cmake -DMCUSIM= -DHOST= -DELF= -DDEVICE= -DSAMPLE= -DWINDOWS= -P ad_score_mcusim.cmake
get_filename_component(dir ${SAMPLE} DIRECTORY)
get_filename_component(file ${SAMPLE} NAME)
execute_process(COMMAND ${HOST} ${SAMPLE} windows ${WINDOWS}
  OUTPUT_VARIABLE host_out RESULT_VARIABLE host_rc)
execute_process(COMMAND ${MCUSIM} run ${ELF} --device ${DEVICE} --no-db --quiet --semihost-dir ${dir}
                        -- ${file} windows ${WINDOWS}
  OUTPUT_VARIABLE fw_out ERROR_VARIABLE fw_err RESULT_VARIABLE fw_rc)
message("host:\n${host_out}mcusim:\n${fw_out}")
if(NOT host_rc EQUAL 0 OR NOT fw_rc EQUAL 0)
  message(FATAL_ERROR "exit codes: host ${host_rc}, mcusim ${fw_rc}\n${fw_err}")
endif()
if(NOT host_out MATCHES "\nscore [0-9]+[.][0-9]+\n")
  message(FATAL_ERROR "no score line from the host build")
endif()
if(NOT fw_out STREQUAL host_out)
  message(FATAL_ERROR "the score in mcusim differs from the host's")
endif()
