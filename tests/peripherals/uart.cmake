# USART model and serial lines (docs/peripherals.md 'USART and LPUART', docs/cli.md --uart, --uart-in).
# Included from tests/CMakeLists.txt inside if(MCUSIM_BUILD_FIRMWARE).
set(UART_FW ${FW}/uart-stm32l4r5.elf)
set(UART_DIR ${CMAKE_CURRENT_BINARY_DIR}/uart)
file(MAKE_DIRECTORY ${UART_DIR})

# By default a UART's output is the firmware's console: stdout. The firmware only touches modelled USART registers.
mcusim_cli_test(uart-console-stdout EXIT 0 CMD run ${UART_FW} -d stm32l4r5 --no-db
  STDOUT "uart: USART2 8N1 at 115200 baud, PCLK1 120000000 Hz, BRR 1042\n"
         "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\\.\n" "uart: 64 bytes sent in [0-9]+ cycles"
  REJECT_STDERR "unmodelled [a-z]+ (of|to) (USART|RCC)")
# --console FILE takes the UART output with the rest of the console.
mcusim_cli_test(uart-console-file EXIT 0 CMD run ${UART_FW} -d stm32l4r5 --no-db --console ${UART_DIR}/console.txt
  REJECT_STDOUT "uart: USART2")

# 64 bytes at 115200 baud from PCLK1 = HCLK = 120 MHz: BRR 1042, 10420 cycles a character (RM0432 formula).
string(REPLACE ";" "@@" cmd "$<TARGET_FILE:mcusim>;run;${UART_FW};-d;stm32l4r5;--no-db")
add_test(NAME cli/uart-tx-timing COMMAND ${CMAKE_COMMAND} -DCMD=${cmd} -DHCLK=120000000 -DPCLK=120000000 -DBAUD=115200 -DBYTES=64
  -P ${CMAKE_CURRENT_SOURCE_DIR}/peripherals/check_uart_timing.cmake)

# --uart USART2=FILE: the output goes to the file, not to stdout.
string(REPLACE ";" "@@" cmd "$<TARGET_FILE:mcusim>;run;${UART_FW};-d;stm32l4r5;--no-db;--uart;USART2=${UART_DIR}/usart2.txt")
add_test(NAME cli/uart-file COMMAND ${CMAKE_COMMAND} -DCMD=${cmd} -DOUT_FILE=${UART_DIR}/usart2.txt
  "-DFILE_TEXT=uart: USART2 8N1 at 115200 baud.*uart: 64 bytes sent in [0-9]+ cycles\n$"
  -P ${CMAKE_CURRENT_SOURCE_DIR}/peripherals/check_uart_file.cmake)

# --uart-in USART2=FILE feeds the echo at the line's rate: polled, then by the RXNE interrupt, no overrun.
mcusim_cli_test(uart-in-echo EXIT 0
  CMD run ${UART_FW} -d stm32l4r5 --no-db --timeout 60 --uart-in USART2=${CMAKE_CURRENT_SOURCE_DIR}/data/uart/echo-in.txt -- echo
  STDOUT "^hello polled\nand by interrupt\necho: 13 bytes polled, 17 by interrupt \\(17 interrupts\\), 0 overruns\n$")
# Both together: input from a file, output to a file.
string(REPLACE ";" "@@" cmd "$<TARGET_FILE:mcusim>;run;${UART_FW};-d;stm32l4r5;--no-db;--timeout;60;--uart;usart2=${UART_DIR}/echo.txt;--uart-in;USART2=${CMAKE_CURRENT_SOURCE_DIR}/data/uart/echo-in.txt;--;echo")
add_test(NAME cli/uart-in-echo-file COMMAND ${CMAKE_COMMAND} -DCMD=${cmd} -DOUT_FILE=${UART_DIR}/echo.txt
  "-DFILE_TEXT=^hello polled\nand by interrupt\necho: 13 bytes polled"
  -P ${CMAKE_CURRENT_SOURCE_DIR}/peripherals/check_uart_file.cmake)

# A JSON report on stdout still parses: the UART output goes to stderr with the rest of the console.
string(REPLACE ";" "@@" cmd "$<TARGET_FILE:mcusim>;run;${UART_FW};-d;stm32l4r5;--no-db;--report=json")
add_test(NAME cli/uart-json-stdout COMMAND ${CMAKE_COMMAND} -DCMD=${cmd} "-DFIRMWARE_TEXT=uart: USART2 8N1 at 115200 baud"
  -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/check_json_stdout.cmake)

# Bad values: one line and the exit code.
mcusim_cli_test(uart-bad-name EXIT 64 ONE_LINE_STDERR CMD run ${UART_FW} -d stm32l4r5 --no-db --uart USART9=${UART_DIR}/x.txt
  STDERR "mcusim: error: --uart USART9: stm32l4r5 has no UART of that name \\(its UARTs: USART2, USART3, UART4, UART5, LPUART1, USART1\\)")
mcusim_cli_test(uart-bad-form EXIT 64 ONE_LINE_STDERR CMD run ${UART_FW} -d stm32l4r5 --no-db --uart USART2
  STDERR "mcusim: error: --uart 'USART2': expected NAME=FILE\\|stdio\\|pty")
mcusim_cli_test(uart-in-bad-name EXIT 64 ONE_LINE_STDERR CMD run ${FW}/hello-stm32f407.elf -d stm32f407 --no-db --uart-in USART2=${UART_DIR}/x.txt
  STDERR "mcusim: error: --uart-in USART2: stm32f407 has no UART model")
mcusim_cli_test(uart-in-missing EXIT 66 ONE_LINE_STDERR CMD run ${UART_FW} -d stm32l4r5 --no-db --uart-in USART2=${UART_DIR}/no-such-file
  STDERR "mcusim: error: --uart-in USART2: cannot read .*no-such-file")
mcusim_cli_test(uart-out-unwritable EXIT 79 ONE_LINE_STDERR CMD run ${UART_FW} -d stm32l4r5 --no-db --uart USART2=${UART_DIR}/no-dir/out.txt
  STDERR "mcusim: error: --uart USART2: cannot write .*no-dir/out.txt")
mcusim_cli_test(uart-stdio-json EXIT 64 ONE_LINE_STDERR CMD run ${UART_FW} -d stm32l4r5 --no-db --report json --uart USART2=stdio
  STDERR "mcusim: error: --uart USART2=stdio: stdout carries the JSON report")

# HAL_UART_Transmit_IT's way: one TXE interrupt per byte, then one TC interrupt; 36 characters long.
mcusim_cli_test(uart-tx-interrupt EXIT 0 CMD run ${UART_FW} -d stm32l4r5 --no-db -- txit
  STDOUT "^sent by interrupt, one byte per TXE\nuart: 36 bytes by interrupt in [0-9]+ cycles, 37 interrupts\n$")
string(REPLACE ";" "@@" cmd "$<TARGET_FILE:mcusim>;run;${UART_FW};-d;stm32l4r5;--no-db;--;txit")
add_test(NAME cli/uart-tx-interrupt-timing COMMAND ${CMAKE_COMMAND} -DCMD=${cmd} -DHCLK=120000000 -DPCLK=120000000 -DBAUD=115200 -DBYTES=36
  -P ${CMAKE_CURRENT_SOURCE_DIR}/peripherals/check_uart_timing.cmake)

# --uart-script: each send waits for the expect before it (the second line goes only after the first is echoed).
mcusim_cli_test(uart-script-echo EXIT 0
  CMD run ${UART_FW} -d stm32l4r5 --no-db --timeout 60 --uart-script USART2=${CMAKE_CURRENT_SOURCE_DIR}/data/uart/echo.script -- echo
  STDOUT "^hello polled\nand by interrupt\necho: 13 bytes polled, 17 by interrupt \\(17 interrupts\\), 0 overruns\n$")
# An expect the firmware never meets by its exit: 85, naming the line and what the firmware said instead.
mcusim_cli_test(uart-script-unmet EXIT 85 CMD run ${UART_FW} -d stm32l4r5 --no-db --uart-script USART2=${CMAKE_CURRENT_SOURCE_DIR}/data/uart/unmet.script
  STDERR "mcusim: error: --uart-script USART2: line 3, expect \"never said\" was not met by the end of the run \\(the firmware's output since the last match: \".*uart: 64 bytes sent in [0-9]+ cycles\\\\n\"\\)")
mcusim_cli_test(uart-script-malformed EXIT 84 ONE_LINE_STDERR
  CMD run ${UART_FW} -d stm32l4r5 --no-db --uart-script USART2=${CMAKE_CURRENT_SOURCE_DIR}/data/uart/bad.script
  STDERR "mcusim: error: --uart-script USART2: .*bad.script, line 2: unknown step 'wait' \\(send or expect\\)")
