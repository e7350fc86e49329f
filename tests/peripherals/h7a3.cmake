# The STM32H7A3's peripherals with the `h7a3` firmware (docs/peripherals.md, "STM32H7A3"):
# the USART3 echo through --uart-in / --uart files, the bring-up without unmodelled
# accesses to the blocks it drives, TIM6 interrupts, the LPTIM1 wake-up from Stop in the
# report's deep-sleep rows, and EXTI. Timing and energy arithmetic: tests/unit/test_h7a3.cpp.
if(MCUSIM_BUILD_FIRMWARE)
  set(H7A3_FW ${FW}/h7a3-stm32h7a3.elf)
  set(H7A3_DIR ${CMAKE_CURRENT_BINARY_DIR}/h7a3)
  file(MAKE_DIRECTORY ${H7A3_DIR})
  # Round trip: the bytes of --uart-in USART3=FILE come back, echoed, in --uart USART3=FILE.
  string(REPLACE ";" "@@" cmd "$<TARGET_FILE:mcusim>;run;${H7A3_FW};-d;stm32h7a3;--no-db;--timeout;60;--uart;USART3=${H7A3_DIR}/echo.txt;--uart-in;USART3=${CMAKE_CURRENT_SOURCE_DIR}/data/h7a3/echo-in.txt;--;echo")
  add_test(NAME cli/h7a3-uart-echo-file COMMAND ${CMAKE_COMMAND} -DCMD=${cmd} -DOUT_FILE=${H7A3_DIR}/echo.txt
    "-DFILE_TEXT=^hello h7a3\n$"
    -P ${CMAKE_CURRENT_SOURCE_DIR}/peripherals/check_uart_file.cmake)
  # The console reports the echo; the UART, RCC kernel clocks and PWR are modelled registers.
  mcusim_cli_test(h7a3-uart-echo EXIT 0
    CMD run ${H7A3_FW} -d stm32h7a3 --no-db --timeout 60 --uart-in USART3=${CMAKE_CURRENT_SOURCE_DIR}/data/h7a3/echo-in.txt -- echo
    STDOUT "SystemCoreClock 280000000 Hz" "hello h7a3\n" "echo: 11 bytes"
    REJECT_STDERR "unmodelled [a-z]+ (of|to) (USART3|RCC->(CDCCIP2R|BDCR|CSR)|PWR->CPUCR)")
  # TIM6 at 1 kHz: 10 periods of 280,000 CPU cycles (PSC 279, ARR 999, timer clock 280 MHz).
  mcusim_cli_test(h7a3-tim6 EXIT 0 CMD run ${H7A3_FW} -d stm32h7a3 --no-db -- tim 10
    STDOUT "tim: 10 periods of PSC 279 ARR 999: 2800000 cycles, 280000 per period"
    REJECT_STDERR "unmodelled [a-z]+ (of|to) TIM6")
  # LPTIM1 wakes the core from Stop: the text report has the stop row priced at the device's 300 µA.
  mcusim_cli_test(h7a3-stop-lptim EXIT 0 CMD run ${H7A3_FW} -d stm32h7a3 --no-db --report text -- stop 3
    STDOUT "stop: 3 wake-ups by LPTIM1 in 3 Stop entries" "deep sleep \\(stop\\) +[0-9,]+ +[0-9.]+ +300\\.00 "
           "deep states +stop 3 entries"
    REJECT_STDERR "unmodelled [a-z]+ (of|to) (LPTIM1|PWR->CPUCR|RCC->(CSR|CDCCIP2R))")
  # EXTI0: the software interrupt and PB0's rising edge (SYSCFG_EXTICR1) each reach the handler once.
  mcusim_cli_test(h7a3-exti EXIT 0 CMD run ${H7A3_FW} -d stm32h7a3 --no-db -- exti
    STDOUT "exti: software interrupt 1, PB0 rising edge 1, falling edge 0"
    REJECT_STDERR "unmodelled [a-z]+ (of|to) (EXTI|SYSCFG->EXTICR|GPIOB)")
endif()
