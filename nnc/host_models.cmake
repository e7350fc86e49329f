# Host builds of generated models (docs/tinyml.md, "Code generation"):
#   nnc_host_model(NAME MODEL TARGET)
# runs the freshly built mcusim-nnc at build time on MODEL (-o
# ${CMAKE_CURRENT_BINARY_DIR}/models/NAME --target TARGET) and builds
# nnc-host-NAME (the runner, firmware/nn/runner/host_main.c) and
# nnc-host-NAME-dump (the same with NN_LAYER_HOOK: --dump-layers) from the
# generated C, the runner and mcusim_nnrt. The generated C is compiled with the
# warnings the firmware build uses, as errors.
include_guard(GLOBAL)
include(${PROJECT_SOURCE_DIR}/firmware/nn/host.cmake)

set(NNC_RUNNER_DIR ${PROJECT_SOURCE_DIR}/firmware/nn/runner)
if(NOT TARGET mcusim_nn_runner)
  add_library(mcusim_nn_runner STATIC ${NNC_RUNNER_DIR}/nn_runner.c)
  target_include_directories(mcusim_nn_runner PUBLIC ${NNC_RUNNER_DIR})
  target_link_libraries(mcusim_nn_runner PUBLIC mcusim_nnrt)
  target_compile_options(mcusim_nn_runner PRIVATE -ffp-contract=off -Wall -Wextra -Werror)
  set_target_properties(mcusim_nn_runner PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
endif()

function(nnc_host_model name model target)
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/models)
  set(prefix ${dir}/${name})
  add_custom_command(
    OUTPUT ${prefix}.h ${prefix}.c
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
    COMMAND $<TARGET_FILE:mcusim-nnc> ${model} -o ${prefix} --target ${target} --quiet
    DEPENDS mcusim-nnc ${model}
    COMMENT "mcusim-nnc: ${name} (${target})"
    VERBATIM)
  # One target runs the generator, so the two executables that compile its
  # output never run it at the same time (parallel builds).
  add_custom_target(nnc-generate-${name} DEPENDS ${prefix}.h ${prefix}.c)
  string(MAKE_C_IDENTIFIER "${name}" cname)
  if(cname MATCHES "^[0-9]")
    set(cname "m_${cname}")
  endif()
  foreach(variant "" "-dump")
    set(exe nnc-host-${name}${variant})
    add_executable(${exe} ${NNC_RUNNER_DIR}/host_main.c ${prefix}.c)
    add_dependencies(${exe} nnc-generate-${name})
    target_include_directories(${exe} PRIVATE ${dir})
    target_link_libraries(${exe} PRIVATE mcusim_nn_runner mcusim_nnrt)
    target_compile_definitions(${exe} PRIVATE NN_MODEL=${cname}_model)
    if(variant STREQUAL "-dump")
      target_compile_definitions(${exe} PRIVATE NN_LAYER_HOOK)
    endif()
    target_compile_options(${exe} PRIVATE -ffp-contract=off -Wall -Wextra -Werror)
    set_target_properties(${exe} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  endforeach()
endfunction()
