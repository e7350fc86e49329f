/// \file
/// STM32U5 reset and clock control (model "stm32-rcc-u5", RM0456 §11.8 for
/// the STM32U575): MSIS (the reset clock, 4 MHz; range from ICSCR1.MSISRANGE
/// when MSIRGSEL = 1, else CSR.MSISSRANGE), MSIK, HSI16, HSI48, SHSI, HSE and
/// PLL1..PLL3 in RCC_CR with their ready flags (Stm32Rcc), the switch
/// CFGR1.SW -> SWS, PLL1's R output from PLL1CFGR/PLL1DIVR (PLL1R = input /
/// PLL1M x PLL1N / PLL1R; PLL1FRACR stored and ignored), CFGR2.HPRE, PPRE1 and PPRE2.
#pragma once

#include "peripherals/stm32_rcc.h"

namespace mcusim::peripherals {

class Stm32RccU5 final : public Stm32Rcc {
public:
  // Register offsets (RM0456 §11.8.52 register map).
  static constexpr uint32_t CR = 0x00, ICSCR1 = 0x08, CFGR1 = 0x1C, CFGR2 = 0x20, CFGR3 = 0x24, PLL1CFGR = 0x28,
                            PLL1DIVR = 0x34, PLL1FRACR = 0x38, AHB1ENR = 0x88, AHB2ENR1 = 0x8C, AHB3ENR = 0x94, APB1ENR1 = 0x9C,
                            APB2ENR = 0xA4, APB3ENR = 0xA8, CSR = 0xF4;
  /// Start-up times, microseconds (DS13737 orders of magnitude; see docs/peripherals.md).
  static constexpr double kMsiStartUs = 6, kHsiStartUs = 3, kHseStartUs = 2000, kPllLockUs = 40;
  /// The HSE assumed: 16 MHz, HSE_VALUE of the STM32CubeU5 hal_conf template [UNVERIFIED].
  static constexpr double kHseHz = 16e6, kHsi16Hz = 16e6, kLsiHz = 32e3;

  Stm32RccU5(const PeripheralDesc &desc, PeripheralHost &host);
  static const std::vector<std::pair<const char *, uint32_t>> &required();

  double msis_hz() const;
  /// PLL1's R output, 0 when PLL1CFGR/PLL1DIVR are out of range.
  double pll1_r_hz() const;
  double sysclk_hz() const override;
  double hclk_hz() const override;
  double pclk_hz(unsigned apb) const override;

protected:
  bool source_ready(unsigned sw) const override;
  double lsi_hz() const override { return kLsiHz; }
};

} // namespace mcusim::peripherals
