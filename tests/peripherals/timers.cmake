# STM32 basic and general-purpose timers (peripherals/stm32_tim.h, docs/peripherals.md "Timers"):
# the timers firmware uses TIM2, TIM3 and TIM6 as HAL code does; the figures it prints are
# checked against RM0432 arithmetic in tests/unit/test_timers.cpp. Here: the CLI run ends,
# touches only modelled registers, and prints the exact periods at MSI 4 MHz
# ((PSC+1)(ARR+1) = 4 x 1000 timer clocks, one core cycle each; 8000 with APB1 /4).
mcusim_cli_test(timers-l4r5 EXIT 0 CMD run ${FW}/timers-stm32l4r5.elf -d stm32l4r5 --no-db
  STDOUT "base: PSC 3 ARR 999 period 4000 cycles" "interval 100000 cycles: 25 updates" "apb1 /4: period 8000 cycles"
         "psc preload: 4000 8000 8000" "one-pulse: CEN 0 after [0-9]+ cycles, UIF 1, CNT 0"
         "cnt: max 999, wraps 2, other decreases 0" "switch to HSI16: spanning period [0-9]+ cycles, period 4000 cycles"
  REJECT_STDERR "unmodelled")
# The run's clock changes (MSI 4 MHz, then HSI16) are in the JSON report.
mcusim_cli_test(timers-l4r5-json EXIT 0 CMD run ${FW}/timers-stm32l4r5.elf -d stm32l4r5 --no-db -q --report json
  STDOUT "\"clock_changes\": \\[.*\"mhz\": 4.0,.*\"mhz\": 16.0")
# Every register the firmware touches is modelled: --strict-peripherals does not fault.
mcusim_cli_test(timers-l4r5-strict EXIT 0 CMD run ${FW}/timers-stm32l4r5.elf -d stm32l4r5 --no-db --strict-peripherals
  STDOUT "switch to HSI16: spanning period")
