# Makes the damaged-database fixture: a run database with three runs, its
# middle page overwritten (header intact), a copy to compare against
# afterwards, and the same file as the default database of a directory.
#   cmake -DMCUSIM=<exe> -DDAMAGE_DB=<exe> -DELF=<elf> -DDEVICE=<name> -DDB=<file> -DDEFAULT_DIR=<dir> -P make_damaged_db.cmake
file(REMOVE "${DB}" "${DB}-wal" "${DB}-shm" "${DB}.orig")
file(REMOVE_RECURSE "${DEFAULT_DIR}")
file(MAKE_DIRECTORY "${DEFAULT_DIR}")
foreach(i 1 2 3)
  execute_process(COMMAND "${MCUSIM}" run "${ELF}" -d "${DEVICE}" -q --db "${DB}" RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "run ${i} into ${DB}: exit code ${rc}\n${err}")
  endif()
endforeach()
execute_process(COMMAND "${DAMAGE_DB}" "${DB}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "damage_db ${DB}: exit code ${rc}")
endif()
file(COPY_FILE "${DB}" "${DB}.orig")
file(COPY_FILE "${DB}" "${DEFAULT_DIR}/mcusim-runs.db")
file(COPY_FILE "${DB}" "${DEFAULT_DIR}/mcusim-runs.db.orig")
