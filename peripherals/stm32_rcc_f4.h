/// \file
/// STM32F4 reset and clock control (model "stm32-rcc-f4", RM0090 §7.3 for the
/// STM32F405/407): HSI 16 MHz (the reset clock), HSE and the main PLL in
/// RCC_CR with their ready flags (Stm32Rcc), the switch CFGR.SW -> SWS, the
/// main PLL from PLLCFGR (PLLCLK = input / PLLM x PLLN / PLLP), the AHB
/// prescaler HPRE and the APB prescalers PPRE1/PPRE2. PLLI2S is enabled and
/// locks like the others but drives no clock the model computes.
#pragma once

#include "peripherals/stm32_rcc.h"

namespace mcusim::peripherals {

class Stm32RccF4 final : public Stm32Rcc {
public:
  // Register offsets (RM0090 §7.3.24 register map).
  static constexpr uint32_t CR = 0x00, PLLCFGR = 0x04, CFGR = 0x08, AHB1ENR = 0x30, APB1ENR = 0x40, APB2ENR = 0x44;
  /// Start-up times, microseconds (DS8626 orders of magnitude; see docs/peripherals.md).
  static constexpr double kHsiStartUs = 2.2, kHseStartUs = 2000, kPllLockUs = 100;
  /// The HSE crystal assumed on the board (STM32F4DISCOVERY: 8 MHz).
  static constexpr double kHseHz = 8e6, kHsiHz = 16e6, kLsiHz = 32e3;

  Stm32RccF4(const PeripheralDesc &desc, PeripheralHost &host);
  static const std::vector<std::pair<const char *, uint32_t>> &required();

  /// The main PLL's P output (SYSCLK's PLL source), 0 when PLLCFGR is out of range.
  double pll_p_hz() const;
  double sysclk_hz() const override;
  double hclk_hz() const override;
  double pclk_hz(unsigned apb) const override;

protected:
  bool source_ready(unsigned sw) const override;
  double lsi_hz() const override { return kLsiHz; }
};

} // namespace mcusim::peripherals
