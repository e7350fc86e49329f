# nRF52840 peripheral models (docs/peripherals.md, "nRF52840"): the nrfx-style firmware
# firmware/examples/nrf on devices/nrf52840.toml. Unit tests: tests/unit/test_nrf.cpp.
if(MCUSIM_BUILD_FIRMWARE)
  # HFXO start-up 360 us = 23,040 cycles at 64 MHz; LFXO 250 ms = 16,000,000 cycles (plus the polling
  # loop's last round); UARTE0: 32 characters of 10 bits at 115108 baud (the PS's actual rate for
  # Baud115200) = 32 x 5,560 cycles; TIMER0 at 1 MHz with CC 1000 = 1 ms = 64,000 cycles;
  # RTC0 CC 4096 at PRESCALER 0 = 4096 / 32768 s = 125 ms = 8,000,000 cycles. Every access is modelled.
  mcusim_cli_test(nrf-bringup EXIT 0 CMD run ${FW}/nrf-nrf52840.elf -d nrf52840 --no-db
    STDOUT "HFCLKSTARTED after 230[4-9][0-9] cycles, HFCLKSTAT 00010001"
           "LFCLKSTARTED after 160000[0-9][0-9] cycles, LFCLKSTAT 00010001"
           "Hello from UARTE0 with EasyDMA"
           "UARTE0 TXD.AMOUNT 32, ENDTX after 1779[2-9][0-9] cycles"
           "TIMER0 compare period 64000..64000 cycles over 10 interrupts"
           "RTC0 compare period 8000000..8000000 cycles over 4 interrupts"
           "LED P0.13 low after 4 toggles"
    STDERR "System OFF \\(POWER->SYSTEMOFF written 1\\): the device is off until a reset"
    REJECT_STDERR "unmodelled")
  # Every register the firmware touches is modelled: --strict-peripherals changes nothing.
  mcusim_cli_test(nrf-bringup-strict EXIT 0 CMD run ${FW}/nrf-nrf52840.elf -d nrf52840 --no-db --strict-peripherals -- exit
    STDOUT "RTC0 compare period 8000000..8000000 cycles" REJECT_STDERR "BusFault|unmodelled")
  # The same firmware ending with a semihosting exit: the JSON report's simulated time covers the
  # bring-up, 10 ms of TIMER0 and 4 x 125 ms of RTC0 (asleep in WFI most of it).
  mcusim_cli_test(nrf-bringup-exit EXIT 0 CMD run ${FW}/nrf-nrf52840.elf -d nrf52840 --no-db -q --report json -- exit
    STDOUT "\"mhz\": 64.0" REJECT_STDOUT "unmodelled_registers")
  # --gpio-phase on an nRF pin (P0.13, the LED the RTC0 handler toggles every 8,000,000 cycles): two
  # complete high intervals of one RTC period each, to within the cycle the two branches of the toggle differ by.
  mcusim_cli_test(nrf-gpio-phase EXIT 0 CMD run ${FW}/nrf-nrf52840.elf -d nrf52840 --no-db -q --gpio-phase led=P0.13 --report text
    STDOUT "led +P0\\.13 +2 +(15,999,99[89]|16,000,00[012]) ")
endif()
