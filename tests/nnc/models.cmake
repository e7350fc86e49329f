# The MLPerf Tiny model images in mcusim, end to end (docs/tinyml.md):
#  - nnc/model-<name>-<device>: the image's output in mcusim is bit-identical to
#    the host build of the same generated C for the same seed (int8 images of the
#    DSP cores against nnc-host-<name>_dsp: this also tests the simulator's DSP
#    instructions), and its report shows every layer with MACs and cycles per MAC;
#  - nnc/arena-does-not-fit: the link of a pair whose arena does not fit fails
#    with the linker script's message;
#  - nnc/ad-score: the anomaly score of the bundled sample, C (FP32 and int8)
#    against an independent NumPy FP32 forward pass, and the int8 window ranking;
#  - nnc/ad-score-mcusim-<name>: the same score in mcusim as on the host;
#  - nnc/int8-vs-f32-<kws|ic>: int8 and FP32 top-1 agree (host builds).
# Included from tests/nnc/CMakeLists.txt after the host builds of the models.
find_program(FLATC flatc REQUIRED)
include(${PROJECT_SOURCE_DIR}/firmware/nn/model_images.cmake)
set(NNC_SCHEMA ${PROJECT_SOURCE_DIR}/nnc/tflite_subset.fbs)
set(NNC_SAMPLE ${PROJECT_SOURCE_DIR}/models/mlperf-tiny/samples/normal_id_01_00000000_hist_librosa.bin)

# Host builds of ad_score.c (the generic target's generated C).
foreach(name ad_int8 ad_f32)
  mcusim_nn_model_file(${name} file)
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/adscore)
  add_custom_command(
    OUTPUT ${dir}/${name}.c ${dir}/${name}.h
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
    COMMAND mcusim-nnc ${NNC_MODELS}/${file} -o ${dir}/${name} --quiet
    DEPENDS mcusim-nnc ${NNC_MODELS}/${file}
    COMMENT "mcusim-nnc: ${name} for the host anomaly score"
    VERBATIM)
  add_executable(nnc-adscore-${name} ${PROJECT_SOURCE_DIR}/firmware/nn/runner/ad_score.c ${dir}/${name}.c)
  target_include_directories(nnc-adscore-${name} PRIVATE ${dir})
  target_compile_definitions(nnc-adscore-${name} PRIVATE NN_MODEL=${name}_model NN_MODEL_HEADER="${name}.h")
  target_compile_options(nnc-adscore-${name} PRIVATE -ffp-contract=off -O2)
  target_link_libraries(nnc-adscore-${name} PRIVATE mcusim_nnrt m)
endforeach()

# The int8 score is within 2% of the FP32 NumPy score (measured: see
# docs/tinyml.md), and the int8 model ranks 40 windows by their error as the
# FP32 model does (Spearman >= 0.9).
add_test(NAME nnc/ad-score
  COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/ad_score.py --flatc ${FLATC} --schema ${NNC_SCHEMA}
          --model ${NNC_MODELS}/ad01_fp32.tflite --sample ${NNC_SAMPLE}
          --f32 $<TARGET_FILE:nnc-adscore-ad_f32> --int8 $<TARGET_FILE:nnc-adscore-ad_int8>
          --int8-tolerance 0.10 --rank-windows 196 --min-spearman 0.9)
set_tests_properties(nnc/ad-score PROPERTIES TIMEOUT 120)


# int8 against FP32 top-1 on 50 deterministic inputs (host builds); measured
# (docs/tinyml.md): KWS 46/50 with inputs around the input zero point (SD 8
# steps; uniform inputs over the whole int8 range saturate the int8 model's
# calibrated activation ranges: 19/50), IC 45/50 with uniform pixels.
foreach(pair kws:kws_ref_model:0.85:8 ic:pretrainedResnet_quant:0.8:0)
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 m)
  list(GET pair 1 int8_file)
  list(GET pair 2 min_agreement)
  list(GET pair 3 input_sd)
  add_test(NAME nnc/int8-vs-f32-${m}
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/int8_vs_f32.py --flatc ${FLATC} --schema ${NNC_SCHEMA}
            --int8-model ${NNC_MODELS}/${int8_file}.tflite --count 50 --min-agreement ${min_agreement} --input-sd ${input_sd}
            --int8 $<TARGET_FILE:nnc-host-${m}_int8> --f32 $<TARGET_FILE:nnc-host-${m}_f32>)
  set_tests_properties(nnc/int8-vs-f32-${m} PROPERTIES TIMEOUT 120)
endforeach()

if(MCUSIM_BUILD_FIRMWARE)
  # The link of FP32 IC for the STM32G0B1 (arena 196,608 B, RAM 144 KiB) fails clearly.
  add_test(NAME nnc/arena-does-not-fit
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/arena_does_not_fit.sh $<TARGET_FILE:mcusim-nnc> ${ARM_NONE_EABI_GCC}
            ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/arena-does-not-fit)
  set_tests_properties(nnc/arena-does-not-fit PROPERTIES TIMEOUT 120)

  # Every model image against its host build.
  mcusim_nn_images(images)
  list(APPEND images kws_int8_sram@stm32l4r5@cortex-m4)
  foreach(image IN LISTS images)
    string(REPLACE "@" ";" image "${image}")
    list(GET image 0 name)
    list(GET image 1 device)
    list(GET image 2 target)
    string(REGEX REPLACE "_sram$" "" host_name ${name})
    mcusim_nn_model_file(${host_name} file)
    if(host_name MATCHES "_int8$" AND NOT target STREQUAL "cortex-m0plus")
      set(host_name ${host_name}_dsp)
    endif()
    add_test(NAME nnc/model-${name}-${device}
      COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/run_model.py --mcusim $<TARGET_FILE:mcusim>
              --elf ${MCUSIM_FIRMWARE_DIR}/model-${name}-${device}.elf --device ${device}
              --nnc $<TARGET_FILE:mcusim-nnc> --model ${NNC_MODELS}/${file} --seed 7
              --host $<TARGET_FILE:nnc-host-${host_name}>)
    set_tests_properties(nnc/model-${name}-${device} PROPERTIES TIMEOUT 300)
  endforeach()

  # The input from a file (semihosting), invoked twice: the same output as the host's.
  add_test(NAME nnc/model-kws_int8-stm32l4r5-input-file
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/run_model.py --mcusim $<TARGET_FILE:mcusim>
            --elf ${MCUSIM_FIRMWARE_DIR}/model-kws_int8-stm32l4r5.elf --device stm32l4r5
            --nnc $<TARGET_FILE:mcusim-nnc> --model ${NNC_MODELS}/kws_ref_model.tflite --input-bytes 490
            --host $<TARGET_FILE:nnc-host-kws_int8_dsp>)
  set_tests_properties(nnc/model-kws_int8-stm32l4r5-input-file PROPERTIES TIMEOUT 120)

  # The anomaly score in mcusim (all 196 windows: under 1.5 s) equals the host's.
  foreach(name ad_int8 ad_f32)
    add_test(NAME nnc/ad-score-mcusim-${name}
      COMMAND ${CMAKE_COMMAND} -DMCUSIM=$<TARGET_FILE:mcusim> -DHOST=$<TARGET_FILE:nnc-adscore-${name}>
              -DELF=${MCUSIM_FIRMWARE_DIR}/adscore-${name}-stm32l4r5.elf -DDEVICE=stm32l4r5
              -DSAMPLE=${NNC_SAMPLE} -DWINDOWS=196
              -P ${CMAKE_CURRENT_SOURCE_DIR}/ad_score_mcusim.cmake)
    set_tests_properties(nnc/ad-score-mcusim-${name} PROPERTIES TIMEOUT 120)
  endforeach()
endif()
