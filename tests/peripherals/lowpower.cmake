# Low-power modes on the STM32L4R5 (docs/peripherals.md, "Low power"): the
# firmware's PWR_CR1.LPMS picks the state, the RTC or LPTIM1 wakes the core,
# Standby ends in a reset, and the reports price each state apart.
if(MCUSIM_BUILD_FIRMWARE)
  # Stop 2 by the RTC wake-up timer: the text report has the state's row and its entries.
  mcusim_cli_test(lowpower-stop2-text EXIT 0 CMD run ${FW}/lowpower-stm32l4r5.elf -d stm32l4r5 --no-db --report text -- stop2 3
    STDOUT "stop2: 3 wake-ups in 3 low-power entries" "deep sleep \\(stop2\\) +[0-9,]+ +[0-9.]+ +1\\.20 "
           "deep states +stop2 3 entries, wake-up 4 µs"
    REJECT_STDERR "unmodelled")
  # Stop 0 (LPMS = 000) is priced at its own figure, and its source line is listed.
  mcusim_cli_test(lowpower-stop0-text EXIT 0 CMD run ${FW}/lowpower-stm32l4r5.elf -d stm32l4r5 --no-db --report text -- stop0 2
    STDOUT "deep sleep \\(stop0\\) +[0-9,]+ +[0-9.]+ +114\\.00 " "deep states +stop0 2 entries" "deep sleep 'stop0': 114 µA"
    REJECT_STDOUT "deep sleep \\(stop2\\)")
  # --deep-sleep overrides the firmware's choice.
  mcusim_cli_test(lowpower-override EXIT 0 CMD run ${FW}/lowpower-stm32l4r5.elf -d stm32l4r5 --no-db --deep-sleep stop1 --report text -- stop2 2
    STDOUT "deep states +stop1 2 entries" REJECT_STDOUT "deep sleep \\(stop2\\)")
  # The JSON report's deep-sleep row carries its entries and wake-up time.
  mcusim_cli_test(lowpower-json EXIT 0 CMD run ${FW}/lowpower-stm32l4r5.elf -d stm32l4r5 --no-db -q --report json -- stop2 2
    STDOUT "\"state\": \"deep sleep \\(stop2\\)\",[^}]*\"entries\": 2,[ \n]*\"wakeup_us\": 4\\.0")
  # LPTIM1 from the LSI wakes the core from Stop 2.
  mcusim_cli_test(lowpower-lptim EXIT 0 CMD run ${FW}/lowpower-stm32l4r5.elf -d stm32l4r5 --no-db -- lptim 3
    STDOUT "lptim: 3 wake-ups in 3 low-power entries" REJECT_STDERR "unmodelled [a-z]+ (of|to) (LPTIM1|PWR|RTC)")
  # Standby: each wake-up restarts the firmware, which sees PWR_SR1.SBF.
  mcusim_cli_test(lowpower-standby EXIT 0 CMD run ${FW}/lowpower-stm32l4r5.elf -d stm32l4r5 --no-db --report text -- standby 2
    STDOUT "cold start, entering standby" "woke from standby \\(SBF set\\), wake-up 1" "standby wake-ups 2"
           "deep states +standby 2 entries, wake-up 50 µs"
    REJECT_STDOUT "did not reset")
endif()
