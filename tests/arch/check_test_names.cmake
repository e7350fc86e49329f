# Fails on a doctest TEST_CASE name holding a ';': CTest splits names there, so
# such a test would be registered under a name that runs no case at all.
#   cmake -DSOURCE_DIR=<repo> -P check_test_names.cmake
file(GLOB_RECURSE files "${SOURCE_DIR}/tests/*.cpp" "${SOURCE_DIR}/*/tests/*.cpp")
set(bad "")
foreach(f IN LISTS files)
  file(STRINGS "${f}" lines REGEX "TEST_CASE\\(\"[^\"]*;")
  foreach(l IN LISTS lines)
    string(APPEND bad "  ${f}: ${l}\n")
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "test names with ';' (CTest would run no case under them):\n${bad}")
endif()
