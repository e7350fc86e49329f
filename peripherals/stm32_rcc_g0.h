/// \file
/// STM32G0 reset and clock control (model "stm32-rcc-g0", RM0444 §5.4 for the
/// STM32G0B1): HSI16 (the reset clock, through HSIDIV as HSISYS), HSE, HSI48
/// (G0B1/C1) and the PLL in RCC_CR with their ready flags (Stm32Rcc), the switch CFGR.SW ->
/// SWS (HSISYS, HSE, PLLRCLK; LSI and LSE selectable too), the PLL's R output
/// from PLLCFGR (PLLRCLK = input / PLLM x PLLN / PLLR), HPRE and the single
/// APB prescaler PPRE (PCLK1 and PCLK2 both answer PCLK).
#pragma once

#include "peripherals/stm32_rcc.h"

namespace mcusim::peripherals {

class Stm32RccG0 final : public Stm32Rcc {
public:
  // Register offsets (RM0444 §5.4.24 register map).
  static constexpr uint32_t CR = 0x00, CFGR = 0x08, PLLCFGR = 0x0C, IOPENR = 0x34, AHBENR = 0x38, APBENR1 = 0x3C,
                            APBENR2 = 0x40;
  /// Start-up times, microseconds (DS13560 orders of magnitude; see docs/peripherals.md).
  static constexpr double kHsiStartUs = 2, kHseStartUs = 2000, kPllLockUs = 40;
  /// The HSE assumed on the board (NUCLEO-G0B1RE: 8 MHz from the ST-LINK MCO).
  static constexpr double kHseHz = 8e6, kHsi16Hz = 16e6, kLsiHz = 32e3;

  Stm32RccG0(const PeripheralDesc &desc, PeripheralHost &host);
  static const std::vector<std::pair<const char *, uint32_t>> &required();

  /// HSISYS: HSI16 / 2^HSIDIV.
  double hsisys_hz() const;
  /// The PLL's R output, 0 when PLLCFGR is out of range.
  double pll_r_hz() const;
  double sysclk_hz() const override;
  double hclk_hz() const override;
  double pclk_hz(unsigned apb) const override;

protected:
  bool source_ready(unsigned sw) const override;
  double lsi_hz() const override { return kLsiHz; }
};

} // namespace mcusim::peripherals
