# The model compiler's C kernels built for the host (firmware/nn, docs/tinyml.md):
# mcusim_nnrt (static, linked into tests and host builds of generated models) and
# mcusim_nnrt_shared (shared, loaded from Python with ctypes). The same sources the
# firmware builds; -ffp-contract=off so float results match the target bit for bit.
if(NOT TARGET mcusim_nnrt)
  set(MCUSIM_NN_DIR ${PROJECT_SOURCE_DIR}/firmware/nn)
  file(GLOB MCUSIM_NN_SOURCES CONFIGURE_DEPENDS ${MCUSIM_NN_DIR}/src/*/*.c)
  foreach(lib_type STATIC SHARED)
    if(lib_type STREQUAL "STATIC")
      set(lib mcusim_nnrt)
    else()
      set(lib mcusim_nnrt_shared)
    endif()
    add_library(${lib} ${lib_type} ${MCUSIM_NN_SOURCES})
    target_include_directories(${lib} PUBLIC ${MCUSIM_NN_DIR}/include)
    target_compile_options(${lib} PRIVATE -ffp-contract=off -O2 -Wall -Wextra)
    set_target_properties(${lib} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON
                                            POSITION_INDEPENDENT_CODE ON)
  endforeach()
endif()
