# The STM32L4R5's TIM1 (repetition counter), RTC calendar and Alarm A, SRAM in Standby, and the
# nRF52840's FICR/UICR (docs/peripherals.md). Unit tests: tests/unit/test_l4extra.cpp.
if(MCUSIM_BUILD_FIRMWARE)
  # RM0432: an update every (PSC + 1)(ARR + 1)(RCR + 1) = 4 x 1000 x 3 = 12,000 timer clocks,
  # TIMPCLK2 = HCLK at the reset prescalers: 12,000 core cycles.
  mcusim_cli_test(l4extra-tim1-rcr EXIT 0 CMD run ${FW}/l4extra-stm32l4r5.elf -d stm32l4r5 --no-db -- tim1 4 2
    STDOUT "tim1: 4 updates, RCR 2, 12000 cycles between updates" REJECT_STDERR "unmodelled [a-z]+ (of|to) TIM1")
  # 2024-02-28 23:59:50 + 15 s of ck_spre (LSE / 128 / 256 = 1 Hz) = 2024-02-29 00:00:05, a Thursday.
  mcusim_cli_test(l4extra-calendar EXIT 0 CMD run ${FW}/l4extra-stm32l4r5.elf -d stm32l4r5 --no-db -- calendar 15
    STDOUT "after: 2024-02-29 00:00:05 weekday 4" REJECT_STDERR "unmodelled [a-z]+ (of|to) RTC")
  # Alarm A at hh:mm:07 wakes the core from Stop 2 once, 7 s after 12:00:00.
  mcusim_cli_test(l4extra-alarm EXIT 0 CMD run ${FW}/l4extra-stm32l4r5.elf -d stm32l4r5 --no-db --report text -- alarm
    STDOUT "alarm: 2024-02-28 12:00:07" "alarm A after 1 stop2 entries" "deep states +stop2 1 entry,")
  # Standby: SRAM2 kept only with PWR_CR3.RRS; SRAM1 always lost; RTC_BKP1R kept.
  mcusim_cli_test(l4extra-standby-sram EXIT 0 CMD run ${FW}/l4extra-stm32l4r5.elf -d stm32l4r5 --no-db -- sram rrs
    STDOUT "SRAM1 lost \\(0x00000000\\), SRAM2 kept \\(0xa5c3f00d\\), BKP1R 0xa5c3f00d")
  # nrfx's SystemInit on the nRF52840: FICR errata words, UICR programmed through the NVMC and kept over the reset.
  mcusim_cli_test(l4extra-nrf-systeminit EXIT 0 CMD run ${FW}/nrf_systeminit-nrf52840.elf -d nrf52840 --no-db -- pinreset nfc
    STDOUT "INFO.PART 0x52840" "UICR PSELRESET 0x00000012 0x00000012 NFCPINS 0xfffffffe"
    REJECT_STDERR "unmodelled [a-z]+ (of|to) (FICR|UICR|NVMC|TEMP)|fault")
endif()
