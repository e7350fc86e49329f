# STM32 GPIO, SYSCFG and EXTI (docs/peripherals.md, "GPIO and EXTI"), --gpio-trace and --gpio-phase (docs/cli.md).
# The unit tests are tests/unit/test_gpio.cpp.
if(MCUSIM_BUILD_FIRMWARE)
  # HAL-style firmware: PA5 around CYCCNT-measured loops, ODR toggles, EXTI edge and software interrupts,
  # touching only modelled registers.
  mcusim_cli_test(gpio-firmware EXIT 0 CMD run ${FW}/gpio-stm32l4r5.elf -d stm32l4r5 --no-db
    STDOUT "busy [0-9]+ cycles\nbusy [0-9]+ cycles\nbusy [0-9]+ cycles\n" "IDR after ODR toggle 1"
           "PA5 after BSRR set\\+reset 1" "EXTI0 1 \\(PR1 00000001\\) EXTI9_5 2 \\(PR1 00000020\\) PR1 now 00000000"
    REJECT_STDERR "unmodelled")
  # The text trace (written after the run): a header, then one line per PA5 change, rising first.
  mcusim_cli_test(gpio-trace-text EXIT 0 CMD run ${FW}/gpio-stm32l4r5.elf -d stm32l4r5 --no-db -q --gpio-trace /dev/stdout
    STDOUT "# time_us cycle port pin level\n[0-9]+\\.[0-9][0-9][0-9][0-9][0-9][0-9] [0-9]+ GPIOA 5 1\n[0-9]+\\.[0-9]+ [0-9]+ GPIOA 5 0\n")
  # The phase marker in the text and JSON reports: six high intervals of PA5.
  mcusim_cli_test(gpio-phase-text EXIT 0 CMD run ${FW}/gpio-stm32l4r5.elf -d stm32l4r5 --no-db -q --report text --gpio-phase busy=PA5
    STDOUT "gpio phases \\(high intervals of the pins\\):\n +phase +pin +count +total cyc +mean cyc +total us +mean us\n +busy +PA5 +6 ")
  mcusim_cli_test(gpio-phase-json EXIT 0 CMD run ${FW}/gpio-stm32l4r5.elf -d stm32l4r5 --no-db -q --report json --gpio-phase busy=PA5
    --gpio-phase idle=PB0
    STDOUT "\"gpio_phases\": " "\"name\": \"busy\",[ \n]*\"pin\": \"PA5\",[ \n]*\"count\": 6,"
           "\"name\": \"idle\",[ \n]*\"pin\": \"PB0\",[ \n]*\"count\": 0,")
  # Bad --gpio-phase values: one line, the usage exit code, nothing run.
  mcusim_cli_test(gpio-phase-bad-pin EXIT 64 ONE_LINE_STDERR CMD run ${FW}/gpio-stm32l4r5.elf -d stm32l4r5 --no-db --gpio-phase busy=PA16
    STDERR "mcusim: error: --gpio-phase 'PA16' is not a pin: pin 16 is above 15 \\(a port letter and a pin number, such as PA5, or P0.13 on the nRF\\)"
    REJECT_STDOUT "busy")
  # A well-formed pin on a port the device does not have: refused before the run, naming the device's ports.
  mcusim_cli_test(gpio-phase-no-such-port EXIT 64 ONE_LINE_STDERR CMD run ${FW}/gpio-stm32l4r5.elf -d stm32l4r5 --no-db --gpio-phase busy=PZ3
    STDERR "mcusim: error: --gpio-phase busy=PZ3: stm32l4r5 has no GPIO port GPIOZ \\(its ports: GPIOA, GPIOB, .*GPIOI\\)"
    REJECT_STDOUT "busy")
  mcusim_cli_test(gpio-phase-bad-form EXIT 64 ONE_LINE_STDERR CMD run ${FW}/gpio-stm32l4r5.elf -d stm32l4r5 --no-db --gpio-phase PA5
    STDERR "mcusim: error: --gpio-phase 'PA5': expected NAME=PIN, such as inference=PA5")
  # A trace file that cannot be written: checked before the run (exit 79).
  mcusim_cli_test(gpio-trace-unwritable EXIT 79 ONE_LINE_STDERR
    CMD run ${FW}/gpio-stm32l4r5.elf -d stm32l4r5 --no-db --gpio-trace /nonexistent-dir/pins.vcd
    STDERR "/nonexistent-dir/pins.vcd" REJECT_STDOUT "busy")
endif()
