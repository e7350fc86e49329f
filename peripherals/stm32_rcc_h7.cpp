/// \file
/// STM32H7A3 RCC: HSI/CSI/HSE/PLL1, the switch, the CPU and bus prescalers.
#include "peripherals/stm32_rcc_h7.h"

#include <algorithm>

namespace mcusim::peripherals {

namespace {
// RCC_CR bits (RM0455 §7.7.2).
constexpr uint32_t HSION = 1u << 0, HSIRDY = 1u << 2, CSION = 1u << 7, CSIRDY = 1u << 8, HSI48ON = 1u << 12,
                   HSI48RDY = 1u << 13, HSEON = 1u << 16, HSERDY = 1u << 17, PLL1ON = 1u << 24, PLL1RDY = 1u << 25,
                   PLL2ON = 1u << 26, PLL2RDY = 1u << 27, PLL3ON = 1u << 28, PLL3RDY = 1u << 29;
} // namespace

const std::vector<std::pair<const char *, uint32_t>> &Stm32RccH7::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {
      {"CR", CR},         {"CFGR", CFGR},           {"CDCFGR1", CDCFGR1}, {"CDCFGR2", CDCFGR2},
      {"PLLCKSELR", PLLCKSELR}, {"PLLCFGR", PLLCFGR}, {"PLL1DIVR", PLL1DIVR}};
  return regs;
}

Stm32RccH7::Stm32RccH7(const PeripheralDesc &desc, PeripheralHost &host)
    : Stm32Rcc(desc, host, Layout{CR, CFGR, 0, 3, 7},
               {{HSION, HSIRDY, kHsiStartUs},
                {CSION, CSIRDY, kCsiStartUs},
                {HSI48ON, HSI48RDY, kHsiStartUs},
                {HSEON, HSERDY, kHseStartUs},
                {PLL1ON, PLL1RDY, kPllLockUs},
                {PLL2ON, PLL2RDY, kPllLockUs},
                {PLL3ON, PLL3RDY, kPllLockUs}},
               {CDCFGR1, CDCFGR2, SRDCFGR, PLLCKSELR, PLLCFGR, PLL1DIVR, PLL1FRACR, AHB3ENR, AHB1ENR, AHB2ENR, AHB4ENR, APB3ENR,
                APB1LENR, APB1HENR, APB2ENR, APB4ENR, CDCCIP2R}) {}

void Stm32RccH7::reset() {
  Stm32Rcc::reset();
  lse_event_ = lsi_event_ = 0;
}

void Stm32RccH7::standby_reset() {
  const uint32_t bdcr = regs_.read(BDCR), lsi = regs_.read(CSR) & 3u;
  reset();
  regs_.set(BDCR, bdcr);
  regs_.set(CSR, (regs_.read(CSR) & ~3u) | lsi);
  low_speed(BDCR, kLseStartUs, lse_event_); // an oscillator still starting goes on starting
  low_speed(CSR, kLsiStartUs, lsi_event_);
}

bool Stm32RccH7::models(uint32_t offset) const { return offset == BDCR || offset == CSR || Stm32Rcc::models(offset); }

// RM0455 §7.7.25 RCC_BDCR: LSEON bit 0, LSERDY bit 1 (read-only), BDRST bit 16; §7.7.26 RCC_CSR: LSION bit 0,
// LSIRDY bit 1 (read-only). Register bits as in the STM32H7A3 CMSIS header (RCC_BDCR_LSERDY, RCC_CSR_LSIRDY).
void Stm32RccH7::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  if (offset != BDCR && offset != CSR) {
    Stm32Rcc::write_register(offset, value, mask);
    if (offset == CFGR || offset == CDCFGR1 || offset == CDCFGR2)
      for (auto &fn : listeners_) fn(); // TIMPRE, HPRE/CDCPRE, CDPPRE1: the timer clock ratio may change
    return;
  }
  const uint32_t rdy = regs_.read(offset) & 2u;
  regs_.write(offset, value, mask);
  regs_.set(offset, (regs_.read(offset) & ~2u) | rdy);
  if (offset == BDCR && (regs_.read(BDCR) & (1u << 16))) regs_.set(BDCR, 1u << 16); // BDRST: the domain held in reset
  low_speed(offset, offset == BDCR ? kLseStartUs : kLsiStartUs, offset == BDCR ? lse_event_ : lsi_event_);
}


/// CFGR.SW (RM0455 §7.7.7): 000 HSI, 001 CSI, 010 HSE, 011 PLL1P.
bool Stm32RccH7::source_ready(unsigned sw) const {
  switch (sw) {
  case 0: return cr_bit(HSIRDY);
  case 1: return cr_bit(CSIRDY);
  case 2: return cr_bit(HSERDY);
  case 3: return cr_bit(PLL1RDY);
  default: return false;
  }
}

double Stm32RccH7::hsi_hz() const { return kHsiHz / double(1u << ((regs_.read(CR) >> 3) & 3u)); }

/// RM0455 §7.7.11/§7.7.13: PLLCKSELR.PLLSRC bits 1:0 (00 HSI, 01 CSI, 10 HSE, 11 none), DIVM1 bits 9:4
/// (0: disabled); PLL1DIVR: DIVN1 bits 8:0 (+1, 4..512), DIVP1 bits 15:9 (+1).
double Stm32RccH7::pll1_p_hz() const {
  const uint32_t sel = regs_.read(PLLCKSELR), d = regs_.read(PLL1DIVR);
  double in = 0;
  switch (sel & 3u) {
  case 0: in = hsi_hz(); break;
  case 1: in = kCsiHz; break;
  case 2: in = kHseHz; break;
  default: return 0;
  }
  const unsigned m = (sel >> 4) & 0x3Fu, n = (d & 0x1FFu) + 1, p = ((d >> 9) & 0x7Fu) + 1;
  if (m == 0 || n < 4) return 0;
  return in / m * n / p;
}

double Stm32RccH7::sysclk_hz() const {
  switch (sws()) {
  case 0: return hsi_hz();
  case 1: return kCsiHz;
  case 2: return kHseHz;
  case 3: return pll1_p_hz();
  default: return 0;
  }
}

/// CDCFGR1: HPRE bits 3:0, CDPPRE bits 6:4, CDCPRE bits 11:8; CDCFGR2: CDPPRE1 bits 6:4, CDPPRE2 bits 10:8
/// (RM0455 §7.7.8, §7.7.9).
double Stm32RccH7::cpu_hz() const { return sysclk_hz() / ahb_divider((regs_.read(CDCFGR1) >> 8) & 0xFu); }

double Stm32RccH7::hclk_hz() const { return cpu_hz() / ahb_divider(regs_.read(CDCFGR1) & 0xFu); }

double Stm32RccH7::pclk_hz(unsigned apb) const {
  return hclk_hz() / apb_divider((regs_.read(CDCFGR2) >> (apb == 1 ? 4 : 8)) & 7u);
}

double Stm32RccH7::timer_clock_hz() const {
  const bool timpre = regs_.read(CFGR) & (1u << 15); // RCC_CFGR.TIMPRE (RM0455 §7.7.6)
  const double factor = timpre ? 4 : 2, hclk = hclk_hz(), pclk1 = pclk_hz(1);
  return std::min(hclk, factor * pclk1); // /1, /2 (TIMPRE: also /4) give HCLK; slower prescalers factor x PCLK1
}

std::optional<double> Stm32RccH7::uart_kernel_hz(std::string_view name) const {
  unsigned sel;
  bool apb2;
  if (name == "USART1") sel = (regs_.read(CDCCIP2R) >> 3) & 7u, apb2 = true; // USART16910SEL
  else if (name == "USART2" || name == "USART3" || name == "UART4" || name == "UART5")
    sel = regs_.read(CDCCIP2R) & 7u, apb2 = false; // USART234578SEL
  else return std::nullopt;
  switch (sel) { // RM0455 §7.7.20: 000 rcc_pclk, 001 pll2_q_ck, 010 pll3_q_ck, 011 hsi_ker_ck, 100 csi_ker_ck, 101 lse_ck
  case 0: return pclk_hz(apb2 ? 2 : 1);
  case 3: return cr_bit(1u << 2) ? hsi_hz() : 0.0;  // HSIRDY
  case 4: return cr_bit(1u << 8) ? kCsiHz : 0.0;    // CSIRDY
  case 5: return (regs_.read(BDCR) & 2u) ? kLseHz : 0.0; // LSERDY
  default: return 0.0;
  }
}

double Stm32RccH7::lptim1_hz() const {
  switch ((regs_.read(CDCCIP2R) >> 28) & 7u) { // RM0455 §7.7.20 LPTIM1SEL: 000 rcc_pclk1, 001 pll2_p, 010 pll3_r, 011 lse, 100 lsi, 101 per_ck
  case 0: return pclk_hz(1);
  case 3: return (regs_.read(BDCR) & 2u) ? kLseHz : 0;
  case 4: return (regs_.read(CSR) & 2u) ? kLsiHz : 0;
  default: return 0;
  }
}

std::optional<double> Stm32RccH7::clock_hz(std::string_view name) const {
  if (name == "CPU") return cpu_hz();
  if (name == "TIMPCLK1") return timer_clock_hz();
  if (name == "LPTIM1") return lptim1_hz();
  if (auto hz = uart_kernel_hz(name)) return hz;
  return Stm32Rcc::clock_hz(name);
}

} // namespace mcusim::peripherals
