/// \file
/// STM32F4 RCC: HSI/HSE/PLL, the switch, PLLCFGR arithmetic.
#include "peripherals/stm32_rcc_f4.h"

namespace mcusim::peripherals {

namespace {
// RCC_CR bits (RM0090 §7.3.1).
constexpr uint32_t HSION = 1u << 0, HSIRDY = 1u << 1, HSEON = 1u << 16, HSERDY = 1u << 17, PLLON = 1u << 24,
                   PLLRDY = 1u << 25, PLLI2SON = 1u << 26, PLLI2SRDY = 1u << 27;
} // namespace

const std::vector<std::pair<const char *, uint32_t>> &Stm32RccF4::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {{"CR", CR}, {"PLLCFGR", PLLCFGR}, {"CFGR", CFGR}};
  return regs;
}

Stm32RccF4::Stm32RccF4(const PeripheralDesc &desc, PeripheralHost &host)
    : Stm32Rcc(desc, host, Layout{CR, CFGR, 0, 2, 3},
               {{HSION, HSIRDY, kHsiStartUs}, {HSEON, HSERDY, kHseStartUs}, {PLLON, PLLRDY, kPllLockUs},
                {PLLI2SON, PLLI2SRDY, kPllLockUs}},
               {PLLCFGR, AHB1ENR, APB1ENR, APB2ENR}) {}

/// CFGR.SW (RM0090 §7.3.3): 00 HSI, 01 HSE, 10 PLL, 11 not allowed.
bool Stm32RccF4::source_ready(unsigned sw) const {
  switch (sw) {
  case 0: return cr_bit(HSIRDY);
  case 1: return cr_bit(HSERDY);
  case 2: return cr_bit(PLLRDY);
  default: return false;
  }
}

/// RM0090 §7.3.2: f(VCO) = f(PLL in) x PLLN / PLLM, f(PLLCLK) = f(VCO) / PLLP;
/// PLLM 2..63, PLLN 50..432 (F405/407), PLLP 2, 4, 6, 8; PLLSRC bit 22: 0 HSI, 1 HSE.
double Stm32RccF4::pll_p_hz() const {
  const uint32_t p = regs_.read(PLLCFGR);
  const double in = (p & (1u << 22)) ? kHseHz : kHsiHz;
  const unsigned m = p & 0x3Fu, n = (p >> 6) & 0x1FFu, pdiv = 2 * (((p >> 16) & 3u) + 1);
  if (m < 2 || n < 50 || n > 432) return 0;
  return in / m * n / pdiv;
}

double Stm32RccF4::sysclk_hz() const {
  switch (sws()) {
  case 0: return kHsiHz;
  case 1: return kHseHz;
  case 2: return pll_p_hz();
  default: return 0;
  }
}

double Stm32RccF4::hclk_hz() const { return sysclk_hz() / ahb_divider((regs_.read(CFGR) >> 4) & 0xFu); }

/// PPRE1 bits 12:10, PPRE2 bits 15:13 (RM0090 §7.3.3).
double Stm32RccF4::pclk_hz(unsigned apb) const {
  return hclk_hz() / apb_divider((regs_.read(CFGR) >> (apb == 1 ? 10 : 13)) & 7u);
}

} // namespace mcusim::peripherals
