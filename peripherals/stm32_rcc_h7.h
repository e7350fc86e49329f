/// \file
/// STM32H7A3/B3 reset and clock control (model "stm32-rcc-h7", RM0455 §7.7):
/// HSI (64 MHz / HSIDIV, the reset clock), CSI, HSI48, HSE and PLL1..PLL3 in
/// RCC_CR with their ready flags (Stm32Rcc), the switch CFGR.SW -> SWS, PLL1's
/// P output (PLL1P = input / DIVM1 x DIVN1 / DIVP1, with DIVM1 in PLLCKSELR,
/// the others in PLL1DIVR; PLL1FRACR is stored and ignored), the CPU clock
/// sys_cdcpre_ck = SYSCLK / CDCPRE (the core's clock), HCLK = CPU / HPRE
/// (the AXI and AHB clock), PCLK1/PCLK2 = HCLK / CDPPRE1 / CDPPRE2.
#pragma once

#include "peripherals/stm32_rcc.h"

namespace mcusim::peripherals {

class Stm32RccH7 final : public Stm32Rcc {
public:
  // Register offsets (RM0455 §7.7.51 register map).
  static constexpr uint32_t CR = 0x00, CFGR = 0x10, CDCFGR1 = 0x18, CDCFGR2 = 0x1C, SRDCFGR = 0x20, PLLCKSELR = 0x28,
                            PLLCFGR = 0x2C, PLL1DIVR = 0x30, PLL1FRACR = 0x34, AHB3ENR = 0xD4, AHB1ENR = 0xD8, AHB2ENR = 0xDC,
                            AHB4ENR = 0xE0, APB3ENR = 0xE4, APB1LENR = 0xE8, APB1HENR = 0xEC, APB2ENR = 0xF0,
                            APB4ENR = 0xF4;
  /// Start-up times, microseconds (DS13195 orders of magnitude; see docs/peripherals.md).
  static constexpr double kHsiStartUs = 4, kCsiStartUs = 2, kHseStartUs = 2000, kPllLockUs = 50;
  /// The HSE assumed on the board (NUCLEO-H7A3ZI-Q: 8 MHz from the ST-LINK MCO).
  static constexpr double kHseHz = 8e6, kHsiHz = 64e6, kCsiHz = 4e6, kLsiHz = 32e3;

  Stm32RccH7(const PeripheralDesc &desc, PeripheralHost &host);
  static const std::vector<std::pair<const char *, uint32_t>> &required();

  /// HSI: 64 MHz / 2^HSIDIV.
  double hsi_hz() const;
  /// PLL1's P output, 0 when the PLL registers are out of range.
  double pll1_p_hz() const;
  double sysclk_hz() const override;
  /// The CPU clock: SYSCLK / CDCPRE.
  double cpu_hz() const;
  double hclk_hz() const override;
  double pclk_hz(unsigned apb) const override;
  std::optional<double> core_clock_hz() const override { return cpu_hz(); }
  /// Also "CPU" (sys_cdcpre_ck).
  std::optional<double> clock_hz(std::string_view name) const override;

protected:
  bool source_ready(unsigned sw) const override;
  double lsi_hz() const override { return kLsiHz; }
};

} // namespace mcusim::peripherals
