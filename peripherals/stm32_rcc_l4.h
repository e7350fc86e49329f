/// \file
/// STM32L4/L4+ reset and clock control (model "stm32-rcc-l4", RM0432 §6 for
/// the STM32L4R5): the oscillator enables and their ready flags in RCC_CR
/// (MSI, HSI16, HSE, PLL, PLLSAI1, PLLSAI2: a ready flag follows its enable
/// after the start-up time below, through the event scheduler, and drops at
/// once when the enable is cleared), the system clock switch (CFGR.SW ->
/// CFGR.SWS once the selected source is ready), PLLCFGR stored, and the
/// clock enable registers stored (clock gating is not modelled).
///
/// sysclk_hz() and hclk_hz() derive the clocks from the registers; the core
/// runs at hclk_hz() (core_clock_hz()) once the firmware writes the RCC or
/// FLASH, unless --mhz pins it (docs/peripherals.md, "The clock").
#pragma once

#include "peripherals/peripheral.h"

namespace mcusim::peripherals {

class Stm32RccL4 final : public Peripheral {
public:
  // Register offsets (RM0432 §6.4).
  static constexpr uint32_t CR = 0x00, ICSCR = 0x04, CFGR = 0x08, PLLCFGR = 0x0C, PLLSAI1CFGR = 0x10, PLLSAI2CFGR = 0x14;
  static constexpr uint32_t AHB1ENR = 0x48, AHB2ENR = 0x4C, AHB3ENR = 0x50, APB1ENR1 = 0x58, APB1ENR2 = 0x5C, APB2ENR = 0x60;
  static constexpr uint32_t CCIPR = 0x88, BDCR = 0x90, CSR = 0x94; ///< CCIPR: peripherals' kernel clock selection (§6.4.28)
  /// LSE and LSI start-up (DS12023 tSU(LSE) 2 s typical, tSU(LSI) 80 µs max [UNVERIFIED], docs/peripherals.md).
  static constexpr double kLseStartUs = 2e6, kLsiStartUs = 80;
  /// Start-up times, microseconds (DS12023 figures, see docs/peripherals.md).
  static constexpr double kMsiStartUs = 6, kHsiStartUs = 1.2, kHseStartUs = 2000, kPllLockUs = 40;
  /// The HSE crystal assumed on the board (NUCLEO-L4R5ZI: 8 MHz from the ST-LINK MCO).
  static constexpr double kHseHz = 8e6;
  /// LSI RC (DS12023: 32 kHz typical) and the LSE crystal (32.768 kHz on the NUCLEO-L4R5ZI).
  static constexpr double kLsiHz = 32e3, kLseHz = 32768;

  Stm32RccL4(const PeripheralDesc &desc, PeripheralHost &host);
  /// The registers the model needs in the data: {name, offset}.
  static const std::vector<std::pair<const char *, uint32_t>> &required();

  void reset() override;
  /// The backup domain (BDCR) and a running LSI survive the Standby wake-up.
  void standby_reset() override;
  bool models(uint32_t offset) const override;
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;

  /// MSI frequency from CR.MSIRANGE (CR.MSIRGSEL = 1) or CSR.MSISRANGE.
  double msi_hz() const;
  /// The PLL's R output (the one SYSCLK can use), 0 when PLLCFGR is out of range.
  double pll_r_hz() const;
  /// SYSCLK from CFGR.SWS: MSI, HSI16, HSE or PLLCLK.
  double sysclk_hz() const;
  /// HCLK: SYSCLK through the AHB prescaler (CFGR.HPRE).
  double hclk_hz() const;
  /// The core clock: HCLK (the core and SysTick run on it).
  std::optional<double> core_clock_hz() const override { return hclk_hz(); }
  /// PCLK1 (`apb` 1) or PCLK2 (2): HCLK through CFGR.PPRE1 / PPRE2.
  double pclk_hz(unsigned apb) const;
  /// The timer clock of APB `apb` (TIMxCLK, RM0432 §6.2 clock tree): PCLKx
  /// when the APB prescaler is 1, else twice PCLKx.
  double timer_clock_hz(unsigned apb) const;
  /// A U(S)ART's kernel clock: CCIPR's USARTxSEL/UARTxSEL/LPUART1SEL (PCLK, SYSCLK, HSI16, LSE;
  /// PCLK is PCLK2 for USART1, PCLK1 for the others); none for another name.
  std::optional<double> uart_kernel_hz(std::string_view name) const;
  /// "SYSCLK", "HCLK", "PCLK1", "PCLK2", "TIMPCLK1", "TIMPCLK2" (the APB timer
  /// clocks), "LSI" (32 kHz), "LSE" (32.768 kHz crystal); "RTC" (BDCR.RTCSEL's
  /// source, 0 while it is not ready or RTCSEL is none), "LPTIM1" (CCIPR.LPTIM1SEL:
  /// PCLK1, LSI, HSI16 or LSE; 0 while not ready), and the U(S)ART kernel clocks
  /// "USART1".."USART3", "UART4", "UART5", "LPUART1" (uart_kernel_hz).
  std::optional<double> clock_hz(std::string_view name) const override;
  /// Call `fn` after every write that may change a clock (CR, CFGR, PLLCFGR)
  /// and when a clock switch takes effect: the timers rebase their count on it.
  void add_clock_listener(std::function<void()> fn) { listeners_.push_back(std::move(fn)); }

private:
  struct Oscillator {
    uint32_t on, ready;
    double start_us;
    Scheduler::EventId event = 0;
  };
  bool ready(unsigned sws) const;
  void update_switch();
  /// clock_changed() for the core, then the listeners.
  void clocks_changed();
  Oscillator osc_[6];
  std::vector<std::function<void()>> listeners_;
  Scheduler::EventId lse_event_ = 0, lsi_event_ = 0;
};

} // namespace mcusim::peripherals
