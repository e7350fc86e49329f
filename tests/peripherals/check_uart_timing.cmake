# Runs the uart firmware and checks the DWT cycles its 64-byte polled transmit
# took against the baud-rate arithmetic of RM0432 ('USART baud rate generation',
# 16x oversampling): BRR = (PCLK + baud / 2) / baud as the firmware (and ST's HAL)
# computes it, a bit lasts BRR kernel clock cycles, a character 1 start + 8 data
# + 1 stop bits; HCLK / PCLK core cycles per kernel cycle. The measured time
# (first TXE wait to TC) must be within one character of BYTES characters.
#   cmake -DCMD=<@@-list> -DHCLK=<Hz> -DPCLK=<Hz> -DBAUD=<baud> -DBYTES=<n> -P check_uart_timing.cmake
string(REPLACE "@@" ";" CMD "${CMD}")
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err INPUT_FILE /dev/null TIMEOUT 120)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "exit code ${rc}, expected 0\n--- stdout:\n${out}\n--- stderr:\n${err}")
endif()
if(NOT out MATCHES "${BYTES} bytes [a-z ]*in ([0-9]+) cycles")
  message(FATAL_ERROR "no '${BYTES} bytes ... in N cycles' line\n--- stdout:\n${out}\n--- stderr:\n${err}")
endif()
set(measured ${CMAKE_MATCH_1})
math(EXPR brr "(${PCLK} + ${BAUD} / 2) / ${BAUD}")
math(EXPR char_cycles "10 * ${brr} * ${HCLK} / ${PCLK}")
math(EXPR expected "${BYTES} * ${char_cycles}")
math(EXPR diff "${measured} - ${expected}")
if(diff LESS 0)
  math(EXPR diff "-${diff}")
endif()
message(STATUS "BRR ${brr}, ${char_cycles} cycles per character: expected ${expected}, measured ${measured}")
if(diff GREATER char_cycles)
  message(FATAL_ERROR "measured ${measured} cycles, expected ${expected} (BRR ${brr}, ${char_cycles} per character) within one character")
endif()
