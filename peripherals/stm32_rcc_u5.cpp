/// \file
/// STM32U5 RCC: MSIS/HSI16/HSE/PLL1, the switch, PLL1 arithmetic.
#include "peripherals/stm32_rcc_u5.h"

namespace mcusim::peripherals {

namespace {
// RCC_CR bits (RM0456 §11.8.1).
constexpr uint32_t MSISON = 1u << 0, MSISRDY = 1u << 2, MSIKON = 1u << 4, MSIKRDY = 1u << 5, HSION = 1u << 8,
                   HSIRDY = 1u << 10, HSI48ON = 1u << 12, HSI48RDY = 1u << 13, SHSION = 1u << 14, SHSIRDY = 1u << 15,
                   HSEON = 1u << 16, HSERDY = 1u << 17, PLL1ON = 1u << 24, PLL1RDY = 1u << 25, PLL2ON = 1u << 26,
                   PLL2RDY = 1u << 27, PLL3ON = 1u << 28, PLL3RDY = 1u << 29;
constexpr uint32_t MSIRGSEL = 1u << 23; // RCC_ICSCR1
// MSIS ranges 0..15 (RM0456 §11.8.2 MSISRANGE).
constexpr double kMsisRangeHz[16] = {48e6,    24e6,    16e6,  12e6,  4e6,   2e6,    1.33e6, 1e6,
                                     3.072e6, 1.536e6, 1.024e6, 768e3, 400e3, 200e3, 133e3,  100e3};
} // namespace

const std::vector<std::pair<const char *, uint32_t>> &Stm32RccU5::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {
      {"CR", CR}, {"ICSCR1", ICSCR1}, {"CFGR1", CFGR1}, {"CFGR2", CFGR2}, {"PLL1CFGR", PLL1CFGR}, {"PLL1DIVR", PLL1DIVR},
      {"CSR", CSR}};
  return regs;
}

Stm32RccU5::Stm32RccU5(const PeripheralDesc &desc, PeripheralHost &host)
    : Stm32Rcc(desc, host, Layout{CR, CFGR1, 0, 2, 3},
               {{MSISON, MSISRDY, kMsiStartUs},
                {MSIKON, MSIKRDY, kMsiStartUs},
                {HSION, HSIRDY, kHsiStartUs},
                {HSI48ON, HSI48RDY, kHsiStartUs},
                {SHSION, SHSIRDY, kHsiStartUs},
                {HSEON, HSERDY, kHseStartUs},
                {PLL1ON, PLL1RDY, kPllLockUs},
                {PLL2ON, PLL2RDY, kPllLockUs},
                {PLL3ON, PLL3RDY, kPllLockUs}},
               {ICSCR1, CFGR2, CFGR3, PLL1CFGR, PLL1DIVR, PLL1FRACR, AHB1ENR, AHB2ENR1, AHB3ENR, APB1ENR1, APB2ENR, APB3ENR}) {}

/// CFGR1.SW (RM0456 §11.8.7): 00 MSIS, 01 HSI16, 10 HSE, 11 PLL1R.
bool Stm32RccU5::source_ready(unsigned sw) const {
  switch (sw) {
  case 0: return cr_bit(MSISRDY);
  case 1: return cr_bit(HSIRDY);
  case 2: return cr_bit(HSERDY);
  default: return cr_bit(PLL1RDY);
  }
}

double Stm32RccU5::msis_hz() const {
  const uint32_t icscr1 = regs_.read(ICSCR1);
  const unsigned range = (icscr1 & MSIRGSEL) ? icscr1 >> 28 : (regs_.read(CSR) >> 12) & 0xFu;
  return kMsisRangeHz[range & 0xFu];
}

/// RM0456 §11.8.9/§11.8.12: PLL1SRC bits 1:0 (00 none, 01 MSIS, 10 HSI16, 11 HSE), PLL1M bits 11:8 (+1);
/// PLL1DIVR: PLL1N bits 8:0 (+1, 4..512), PLL1R bits 30:24 (+1).
double Stm32RccU5::pll1_r_hz() const {
  const uint32_t c = regs_.read(PLL1CFGR), d = regs_.read(PLL1DIVR);
  double in = 0;
  switch (c & 3u) {
  case 1: in = msis_hz(); break;
  case 2: in = kHsi16Hz; break;
  case 3: in = kHseHz; break;
  default: return 0;
  }
  const unsigned m = ((c >> 8) & 0xFu) + 1, n = (d & 0x1FFu) + 1, r = ((d >> 24) & 0x7Fu) + 1;
  if (n < 4) return 0;
  return in / m * n / r;
}

double Stm32RccU5::sysclk_hz() const {
  switch (sws()) {
  case 0: return msis_hz();
  case 1: return kHsi16Hz;
  case 2: return kHseHz;
  default: return pll1_r_hz();
  }
}

/// CFGR2: HPRE bits 3:0, PPRE1 bits 6:4, PPRE2 bits 10:8 (RM0456 §11.8.8).
double Stm32RccU5::hclk_hz() const { return sysclk_hz() / ahb_divider(regs_.read(CFGR2) & 0xFu); }

double Stm32RccU5::pclk_hz(unsigned apb) const {
  return hclk_hz() / apb_divider((regs_.read(CFGR2) >> (apb == 1 ? 4 : 8)) & 7u);
}

} // namespace mcusim::peripherals
