# Checks that refused run databases were left as they were: byte for byte the
# same as FILE.orig, and no -wal, -shm or -journal file next to them.
#   cmake "-DFILES=<file|file...>" -P check_db_untouched.cmake
string(REPLACE "|" ";" FILES "${FILES}")
set(fail "")
foreach(f IN LISTS FILES)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${f}" "${f}.orig" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(APPEND fail "${f} differs from ${f}.orig\n")
  endif()
  foreach(side -wal -shm -journal)
    if(EXISTS "${f}${side}")
      string(APPEND fail "${f}${side} was left behind\n")
    endif()
  endforeach()
endforeach()
if(fail)
  message(FATAL_ERROR "${fail}")
endif()
