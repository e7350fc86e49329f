# The firmware's clock on the other STM32 families (docs/peripherals.md, "Other
# STM32 families"): each SystemClock_Config-style bring-up (firmware/examples/
# clock_families) reaches its PLL clock; the JSON report's clock_changes show
# the reset clock with the reset FLASH_ACR latency, then the PLL clock at the
# frequency the reference manual's formula gives, with the latency the
# firmware wrote; too few wait states give the warning.
#
#   mcusim_family_clock_tests(<family> <device> <reset MHz> <reset WS> <PLL MHz> <WS> <bad WS> <stdout>)
function(mcusim_family_clock_tests family device reset_mhz reset_ws pll_mhz ws bad_ws stdout)
  set(elf ${FW}/clock_${family}-${device}.elf)
  mcusim_cli_test(clock-${family}-bringup EXIT 0 CMD run ${elf} -d ${device} --no-db
    STDOUT "${stdout}" REJECT_STDERR "unmodelled|warning")
  mcusim_cli_test(clock-${family}-json EXIT 0 CMD run ${elf} -d ${device} --no-db -q --report json
    STDOUT "\"clock_changes\": \\[[ \n]*{[ \n]*\"cycle\": 0,.*\"mhz\": ${reset_mhz}.0,[ \n]*\"flash_ws\": ${reset_ws}[ \n]*}.*\"mhz\": ${pll_mhz}.0,[ \n]*\"flash_ws\": ${ws}[ \n]*}[ \n]*\\]")
  mcusim_cli_test(clock-${family}-badws EXIT 0 CMD run ${elf} -d ${device} --no-db -- badws
    STDERR "mcusim: warning: HCLK ${pll_mhz} MHz needs FLASH_ACR.LATENCY >= ${ws} \\(table in devices/${device}.toml\\), the firmware set ${bad_ws}: on hardware flash reads would be corrupt"
    REJECT_STDERR "needs.*needs")
endfunction()

if(MCUSIM_BUILD_FIRMWARE)
  # STM32F407 (RM0090 §7.3.2): f(PLLCLK) = f(HSE) / PLLM x PLLN / PLLP = 8 MHz / 8 x 336 / 2.
  math(EXPR f4_mhz "8 * 336 / 8 / 2")
  mcusim_family_clock_tests(f4 stm32f407 16 0 ${f4_mhz} 5 3
    "SystemCoreClock 168000000 Hz \\(FLASH latency 5, VOS scale 1\\)")
  # STM32G0B1 (RM0444 §5.4.4): f(PLLRCLK) = f(HSI16) / PLLM x PLLN / PLLR = 16 MHz / 1 x 8 / 2.
  math(EXPR g0_mhz "16 * 8 / 1 / 2")
  mcusim_family_clock_tests(g0 stm32g0b1 16 0 ${g0_mhz} 2 1
    "SystemCoreClock 64000000 Hz \\(FLASH latency 2, VOS range 1\\)")
  # STM32U575 (RM0456 §11.8.12): f(PLL1R) = f(MSIS) / PLL1M x PLL1N / PLL1R = 4 MHz / 1 x 80 / 2.
  math(EXPR u5_mhz "4 * 80 / 1 / 2")
  mcusim_family_clock_tests(u5 stm32u575 4 0 ${u5_mhz} 4 2
    "SystemCoreClock 160000000 Hz \\(FLASH latency 4, VOS range 1, boost\\)")
  # STM32H7A3 (RM0455 §7.7.12): f(PLL1P) = f(HSI) / DIVM1 x DIVN1 / DIVP1 = 64 MHz / 4 x 35 / 2;
  # FLASH_ACR resets to LATENCY 3.
  math(EXPR h7_mhz "64 * 35 / 4 / 2")
  mcusim_family_clock_tests(h7 stm32h7a3 64 3 ${h7_mhz} 6 3
    "SystemCoreClock 280000000 Hz \\(FLASH latency 6, VOS scale 0\\)")
endif()
