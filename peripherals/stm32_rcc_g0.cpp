/// \file
/// STM32G0 RCC: HSI16/HSIDIV, HSE, PLL, the switch, PLLCFGR arithmetic.
#include "peripherals/stm32_rcc_g0.h"

namespace mcusim::peripherals {

namespace {
// RCC_CR bits (RM0444 §5.4.1).
constexpr uint32_t HSION = 1u << 8, HSIRDY = 1u << 10, HSEON = 1u << 16, HSERDY = 1u << 17, HSI48ON = 1u << 22,
                   HSI48RDY = 1u << 23, PLLON = 1u << 24, PLLRDY = 1u << 25;
// RCC_BDCR.LSERDY (bit 1) and RCC_CSR.LSIRDY (bit 1) are not modelled: LSI/LSE as SYSCLK count as ready.
} // namespace

const std::vector<std::pair<const char *, uint32_t>> &Stm32RccG0::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {{"CR", CR}, {"CFGR", CFGR}, {"PLLCFGR", PLLCFGR}};
  return regs;
}

Stm32RccG0::Stm32RccG0(const PeripheralDesc &desc, PeripheralHost &host)
    : Stm32Rcc(desc, host, Layout{CR, CFGR, 0, 3, 7},
               {{HSION, HSIRDY, kHsiStartUs},
                {HSEON, HSERDY, kHseStartUs},
                {HSI48ON, HSI48RDY, kHsiStartUs},
                {PLLON, PLLRDY, kPllLockUs}},
               {PLLCFGR, IOPENR, AHBENR, APBENR1, APBENR2}) {}

/// CFGR.SW (RM0444 §5.4.3): 000 HSISYS, 001 HSE, 010 PLLRCLK, 011 LSI, 100 LSE.
bool Stm32RccG0::source_ready(unsigned sw) const {
  switch (sw) {
  case 0: return cr_bit(HSIRDY);
  case 1: return cr_bit(HSERDY);
  case 2: return cr_bit(PLLRDY);
  case 3:
  case 4: return true;
  default: return false;
  }
}

double Stm32RccG0::hsisys_hz() const { return kHsi16Hz / double(1u << ((regs_.read(CR) >> 11) & 7u)); }

/// RM0444 §5.4.4: PLLSRC bits 1:0 (00 none, 10 HSI16, 11 HSE), PLLM bits 6:4 (/1../8),
/// PLLN bits 14:8 (8..86), PLLR bits 31:29 (001 /2 .. 111 /8; 000 reserved).
double Stm32RccG0::pll_r_hz() const {
  const uint32_t p = regs_.read(PLLCFGR);
  double in = 0;
  switch (p & 3u) {
  case 2: in = kHsi16Hz; break;
  case 3: in = kHseHz; break;
  default: return 0;
  }
  const unsigned m = ((p >> 4) & 7u) + 1, n = (p >> 8) & 0x7Fu, r = ((p >> 29) & 7u) + 1;
  if (n < 8 || n > 86 || r < 2) return 0;
  return in / m * n / r;
}

double Stm32RccG0::sysclk_hz() const {
  switch (sws()) {
  case 0: return hsisys_hz();
  case 1: return kHseHz;
  case 2: return pll_r_hz();
  case 3: return kLsiHz;
  case 4: return kLseHz;
  default: return 0;
  }
}

/// HPRE bits 11:8, PPRE bits 14:12 (RM0444 §5.4.3).
double Stm32RccG0::hclk_hz() const { return sysclk_hz() / ahb_divider((regs_.read(CFGR) >> 8) & 0xFu); }

double Stm32RccG0::pclk_hz(unsigned) const { return hclk_hz() / apb_divider((regs_.read(CFGR) >> 12) & 7u); }

} // namespace mcusim::peripherals
