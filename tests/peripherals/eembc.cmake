# `mcusim eembc` (docs/eembc.md): the MLPerf Tiny runner protocol over USART2,
# end to end, with the keyword-spotting runner firmware (firmware/examples/eembc).
#  - eembc/performance-kws, eembc/accuracy-kws, eembc/energy-kws: the runner's
#    top class and scores are the model image's for the same input, the
#    firmware's latency agrees with mcusim's cycles / clock within one
#    timestamp tick, the JSON parses (eembc_check.py);
#  - eembc/text: the EnergyRunner-like text;
#  - eembc/never-ready, eembc/input-*, eembc/unknown-mode: one-line errors.
# Included from tests/CMakeLists.txt inside if(MCUSIM_BUILD_FIRMWARE).
set(EEMBC_RUNNER ${MCUSIM_FIRMWARE_DIR}/eembc-kws_int8-stm32l4r5.elf)
set(EEMBC_INPUTS ${CMAKE_CURRENT_BINARY_DIR}/eembc)
# The nnc tests' KWS input (490 bytes), and two of the wrong size.
add_test(NAME eembc/inputs COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/peripherals/eembc_inputs.py ${EEMBC_INPUTS})
set_tests_properties(eembc/inputs PROPERTIES FIXTURES_SETUP eembc-inputs)

# performance and energy: 2 windows of infer 3 1; accuracy: the runner's infer 1 0.
foreach(run performance:2:3:1 accuracy:1:1:0 energy:2:3:1)
  string(REPLACE ":" ";" run "${run}")
  list(GET run 0 mode)
  list(GET run 1 windows)
  list(GET run 2 iterations)
  list(GET run 3 warmups)
  add_test(NAME eembc/${mode}-kws
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/peripherals/eembc_check.py --mcusim $<TARGET_FILE:mcusim>
            --runner ${EEMBC_RUNNER} --model-image ${MCUSIM_FIRMWARE_DIR}/model-kws_int8-stm32l4r5.elf --mode ${mode}
            --windows ${windows} --iterations ${iterations} --warmups ${warmups})
  set_tests_properties(eembc/${mode}-kws PROPERTIES TIMEOUT 300)
endforeach()

mcusim_cli_test(text EXIT 0 TEST_NAME eembc/text FIXTURES eembc-inputs
  CMD eembc ${EEMBC_RUNNER} -d stm32l4r5 --input ${EEMBC_INPUTS}/kws-490.bin --windows 1 --iterations 2 --warmups 0
  STDOUT "EEMBC runner, performance mode: .*eembc-kws_int8-stm32l4r5.elf on stm32l4r5"
         "device +mcusim, profile ULPMark for tinyML Firmware V0.0.1, model kws01"
         "median latency [0-9]+\\.[0-9]+ us per inference" "throughput +[0-9]+\\.[0-9]+ inf\\./sec\\. \\(median\\)"
         "m-results +\\[[0-9.,]+\\] +top class [0-9]+" "per inference [0-9]+ cycles, [0-9.]+ us \\(2 invocations"
         "energy +[0-9.]+ uJ per inference")
# A firmware that never says m-ready (spin): the cycle limit, one line, exit 72.
mcusim_cli_test(never-ready EXIT 72 TEST_NAME eembc/never-ready FIXTURES eembc-inputs
  CMD eembc ${FW}/spin-stm32l4r5.elf -d stm32l4r5 -q --input ${EEMBC_INPUTS}/kws-490.bin --max-cycles 2000000
  STDERR "mcusim: error: .*spin-stm32l4r5.elf never said m-ready within 2000000 cycles \\(--max-cycles\\)")
# The runner firmware on a UART the driver does not listen on: it never hears m-ready either.
mcusim_cli_test(wrong-uart EXIT 72 TEST_NAME eembc/wrong-uart ONE_LINE_STDERR FIXTURES eembc-inputs
  CMD eembc ${EEMBC_RUNNER} -d stm32l4r5 -q --uart LPUART1 --input ${EEMBC_INPUTS}/kws-490.bin --max-cycles 20000000
  STDERR "never said m-ready within 20000000 cycles")
# Inputs of the wrong size: the firmware refuses them (66).
mcusim_cli_test(input-too-short EXIT 66 TEST_NAME eembc/input-too-short ONE_LINE_STDERR FIXTURES eembc-inputs
  CMD eembc ${EEMBC_RUNNER} -d stm32l4r5 -q --input ${EEMBC_INPUTS}/kws-100.bin --windows 1
  STDERR "mcusim: error: .*kws-100.bin \\(100 bytes\\): the firmware refused the input: Input db has 100 bytes, expected 490")
mcusim_cli_test(input-too-long EXIT 66 TEST_NAME eembc/input-too-long ONE_LINE_STDERR FIXTURES eembc-inputs
  CMD eembc ${EEMBC_RUNNER} -d stm32l4r5 -q --input ${EEMBC_INPUTS}/kws-600.bin --windows 1
  STDERR "kws-600.bin \\(600 bytes\\): the firmware refused the input: Supplied buffer size 600 exceeds maximum of 490")
mcusim_cli_test(input-missing EXIT 66 TEST_NAME eembc/input-missing ONE_LINE_STDERR
  CMD eembc ${EEMBC_RUNNER} -d stm32l4r5 --input ${EEMBC_INPUTS}/no-such.bin
  STDERR "mcusim: error: .*no-such.bin: cannot open the input")
mcusim_cli_test(unknown-mode EXIT 64 TEST_NAME eembc/unknown-mode ONE_LINE_STDERR FIXTURES eembc-inputs
  CMD eembc ${EEMBC_RUNNER} -d stm32l4r5 --mode fast --input ${EEMBC_INPUTS}/kws-490.bin
  STDERR "mcusim: error: unknown mode 'fast' \\(performance, accuracy, energy\\)")
# A firmware that exits before it ever says m-ready (hello): not a runner firmware, 65.
mcusim_cli_test(exits-early EXIT 65 TEST_NAME eembc/exits-early FIXTURES eembc-inputs
  CMD eembc ${FW}/hello-stm32l4r5.elf -d stm32l4r5 -q --input ${EEMBC_INPUTS}/kws-490.bin
  STDERR "mcusim: error: .*hello-stm32l4r5.elf never said m-ready \\(the run ended: exited 0\\): not a runner firmware on USART2\\?")
