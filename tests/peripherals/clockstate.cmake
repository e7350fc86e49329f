# The firmware's clock state in the energy and cycle models (docs/power.md "The
# clock in force", docs/peripherals.md "The clock"): a run at two clocks shows
# its energy per clock in the text and JSON reports, a PWR_CR1.VOS write moves
# the pricing to the range2 figures, and --cache pinning the caches is said on
# the banner.
if(MCUSIM_BUILD_FIRMWARE)
  # lowpower: the default 120 MHz until the first RCC write, then MSI 4 MHz: two rows by clock.
  mcusim_cli_test(clockstate-energy-text EXIT 0 CMD run ${FW}/lowpower-stm32l4r5.elf -d stm32l4r5 --no-db --report text -- stop2 2
    STDOUT "energy priced clock by clock" "  clock +cycles +time s +energy µJ +share\n  120 MHz range1 +[0-9,]+ +[0-9.]+ +[0-9.]+ +[0-9.]+%\n  4 MHz range1 "
           "at 120 MHz \\(range1\\), run from flash: ")
  mcusim_cli_test(clockstate-energy-json EXIT 0 CMD run ${FW}/lowpower-stm32l4r5.elf -d stm32l4r5 --no-db -q --report json -- stop2 2
    STDOUT "\"clocks\": \\[[ \n]*{[ \n]*\"mhz\": 120\\.0,[ \n]*\"mode\": \"range1\",.*\"mhz\": 4\\.0,[ \n]*\"mode\": \"range1\"")
  # VOS = Range 2: the cycles after it at the range2 figures (85 µA/MHz).
  mcusim_cli_test(clockstate-range2 EXIT 0 CMD run ${FW}/cachectl-stm32l4r5.elf -d stm32l4r5 --no-db --report text -- range2
    STDOUT "  4 MHz range2 " "at 120 MHz \\(range1\\), run from flash: ")
  # --power-mode overrides the registers' mode.
  mcusim_cli_test(clockstate-power-mode-override EXIT 0 CMD run ${FW}/cachectl-stm32l4r5.elf -d stm32l4r5 --no-db --power-mode range1 --report text -- range2
    STDOUT "  4 MHz range1 " REJECT_STDOUT "MHz range2")
  # --cache pins the caches, and the banner says so.
  mcusim_cli_test(clockstate-cache-pinned EXIT 0 CMD run ${FW}/cachectl-stm32l4r5.elf -d stm32l4r5 --no-db --cache on
    STDERR "caches pinned by --cache")
  mcusim_cli_test(clockstate-cache-followed EXIT 0 CMD run ${FW}/cachectl-stm32l4r5.elf -d stm32l4r5 --no-db
    STDOUT "icache on: 4 per iteration" "icache off: 6 per iteration" REJECT_STDERR "caches pinned")
endif()
