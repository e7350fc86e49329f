# PYTHON3: the interpreter the tests' Python scripts run under.
#
# Several of them need NumPy, which scripts/setup installs as Debian's
# python3-numpy, for the system interpreter /usr/bin/python3. A python3 found
# earlier on PATH (pyenv, a virtualenv) may lack it, so the first candidate that
# imports numpy wins; pass -DPYTHON3=... to choose another.
if(NOT PYTHON3)
  find_program(MCUSIM_PATH_PYTHON3 python3)
  set(_mcusim_python3 "")
  foreach(candidate /usr/bin/python3 ${MCUSIM_PATH_PYTHON3})
    if(EXISTS "${candidate}")
      execute_process(COMMAND "${candidate}" -c "import numpy"
                      RESULT_VARIABLE has_numpy OUTPUT_QUIET ERROR_QUIET)
      if(has_numpy EQUAL 0)
        set(_mcusim_python3 "${candidate}")
        break()
      endif()
    endif()
  endforeach()
  if(NOT _mcusim_python3)
    if(NOT MCUSIM_PATH_PYTHON3)
      message(FATAL_ERROR "tests need python3 (run scripts/setup)")
    endif()
    message(WARNING "no python3 with NumPy found; the model-compiler checks will fail (run scripts/setup)")
    set(_mcusim_python3 "${MCUSIM_PATH_PYTHON3}")
  endif()
  set(PYTHON3 "${_mcusim_python3}" CACHE FILEPATH "python3 with NumPy, for the tests")
endif()
message(STATUS "Tests run Python scripts with ${PYTHON3}")
