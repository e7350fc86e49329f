/// \file
/// STM32H7A3/B3 reset and clock control (model "stm32-rcc-h7", RM0455 §7.7):
/// HSI (64 MHz / HSIDIV, the reset clock), CSI, HSI48, HSE and PLL1..PLL3 in
/// RCC_CR with their ready flags (Stm32Rcc), the switch CFGR.SW -> SWS, PLL1's
/// P output (PLL1P = input / DIVM1 x DIVN1 / DIVP1, with DIVM1 in PLLCKSELR,
/// the others in PLL1DIVR; PLL1FRACR is stored and ignored), the CPU clock
/// sys_cdcpre_ck = SYSCLK / CDCPRE (the core's clock), HCLK = CPU / HPRE
/// (the AXI and AHB clock), PCLK1/PCLK2 = HCLK / CDPPRE1 / CDPPRE2; the APB1
/// timer clock by CFGR.TIMPRE; the U(S)ART and LPTIM1 kernel clocks from
/// RCC_CDCCIP2R; LSEON/LSION with their ready flags in RCC_BDCR/RCC_CSR.
#pragma once

#include "peripherals/stm32_rcc.h"

namespace mcusim::peripherals {

class Stm32RccH7 final : public Stm32Rcc {
public:
  // Register offsets (RM0455 §7.7.51 register map).
  static constexpr uint32_t CR = 0x00, CFGR = 0x10, CDCFGR1 = 0x18, CDCFGR2 = 0x1C, SRDCFGR = 0x20, PLLCKSELR = 0x28,
                            PLLCFGR = 0x2C, PLL1DIVR = 0x30, PLL1FRACR = 0x34, AHB3ENR = 0xD4, AHB1ENR = 0xD8, AHB2ENR = 0xDC,
                            AHB4ENR = 0xE0, APB3ENR = 0xE4, APB1LENR = 0xE8, APB1HENR = 0xEC, APB2ENR = 0xF0,
                            APB4ENR = 0xF4, CDCCIP2R = 0x54, BDCR = 0x70, CSR = 0x74;
  /// LSE and LSI start-up (orders of magnitude as the L4's, [UNVERIFIED] against DS13195).
  static constexpr double kLseStartUs = 2e6, kLsiStartUs = 80;
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
  /// The APB1 timer clock (RM0455 RCC 'Timer clock' rule): with CFGR.TIMPRE = 0,
  /// HCLK when CDPPRE1 is /1 or /2, else 2 x PCLK1; with TIMPRE = 1, HCLK when
  /// CDPPRE1 is /1, /2 or /4, else 4 x PCLK1.
  double timer_clock_hz() const;
  /// A U(S)ART's kernel clock from RCC_CDCCIP2R (USART234578SEL bits 2:0 for
  /// USART2/3, UART4/5/7/8; USART16910SEL bits 5:3 for USART1/6/9/10): PCLK
  /// (PCLK1 or PCLK2), HSI, CSI or LSE; PLL2/PLL3 outputs are not modelled (0).
  std::optional<double> uart_kernel_hz(std::string_view name) const;
  /// LPTIM1's kernel clock (CDCCIP2R.LPTIM1SEL bits 30:28): PCLK1, LSE or LSI
  /// (0 while not ready); PLL2/PLL3/per_ck not modelled (0).
  double lptim1_hz() const;
  /// Also "CPU" (sys_cdcpre_ck), "TIMPCLK1", the U(S)ART kernel clocks
  /// ("USART1".."USART3", "UART4", "UART5") and "LPTIM1".
  std::optional<double> clock_hz(std::string_view name) const override;
  void reset() override;
  /// BDCR (backup domain) and a running LSI survive the Standby wake-up.
  void standby_reset() override;
  bool models(uint32_t offset) const override;
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;
  /// Call `fn` after every write to the bus prescalers (CFGR, CDCFGR1, CDCFGR2):
  /// the timers rebase their count on a new timer clock ratio.
  void add_clock_listener(std::function<void()> fn) { listeners_.push_back(std::move(fn)); }

protected:
  bool source_ready(unsigned sw) const override;
  double lsi_hz() const override { return kLsiHz; }

private:
  Scheduler::EventId lse_event_ = 0, lsi_event_ = 0;
  std::vector<std::function<void()>> listeners_;
};

} // namespace mcusim::peripherals
