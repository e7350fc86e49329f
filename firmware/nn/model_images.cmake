# The model images the firmware build makes (firmware/CMakeLists.txt) and the
# tests run (tests/nnc/models.cmake): every model on every device, minus the
# pairs that cannot fit. scripts/tinyml-table reads this file too (keep one
# entry per line, in this form).

# <name>=<file in models/mlperf-tiny>
set(MCUSIM_NN_MODELS
  kws_int8=kws_ref_model.tflite
  kws_f32=kws_ref_model_float32.tflite
  vww_int8=vww_96_int8.tflite
  ic_int8=pretrainedResnet_quant.tflite
  ic_f32=pretrainedResnet.tflite
  ad_int8=ad01_int8.tflite
  ad_f32=ad01_fp32.tflite
)

# <device>=<mcusim-nnc --target>: reference kernels on the M0+, DSP kernels elsewhere.
set(MCUSIM_NN_DEVICES
  stm32g0b1=cortex-m0plus
  stm32l4r5=cortex-m4
  stm32h7a3=cortex-m7
  stm32u575=cortex-m33
)

# <name>@<device>=<why it does not fit> (mcusim-nnc --plan; firmware/ld/<device>.ld)
set(MCUSIM_NN_LEFT_OUT
  "ic_f32@stm32g0b1=arena 196,608 B > 144 KiB RAM"
  "ad_f32@stm32g0b1=weights 1,063,456 B > 512 KiB flash"
)

# mcusim_nn_model_file(<name> <var>): the model's file name.
function(mcusim_nn_model_file name var)
  foreach(entry IN LISTS MCUSIM_NN_MODELS)
    string(REPLACE "=" ";" kv "${entry}")
    list(GET kv 0 k)
    if(k STREQUAL name)
      list(GET kv 1 v)
      set(${var} ${v} PARENT_SCOPE)
      return()
    endif()
  endforeach()
  message(FATAL_ERROR "unknown model '${name}'")
endfunction()

# mcusim_nn_images(<var>): "<name>;<device>;<target>" triples, flattened as
# <name>@<device>@<target> entries, for every pair that is built.
function(mcusim_nn_images var)
  set(out "")
  foreach(m IN LISTS MCUSIM_NN_MODELS)
    string(REGEX REPLACE "=.*" "" name "${m}")
    foreach(d IN LISTS MCUSIM_NN_DEVICES)
      string(REPLACE "=" ";" kv "${d}")
      list(GET kv 0 device)
      list(GET kv 1 target)
      set(left_out FALSE)
      foreach(l IN LISTS MCUSIM_NN_LEFT_OUT)
        if(l MATCHES "^${name}@${device}=")
          set(left_out TRUE)
        endif()
      endforeach()
      if(NOT left_out)
        list(APPEND out "${name}@${device}@${target}")
      endif()
    endforeach()
  endforeach()
  set(${var} ${out} PARENT_SCOPE)
endfunction()
