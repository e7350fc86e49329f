/// \file
/// STM32L4/L4+ RCC: oscillator ready flags, the clock switch, SYSCLK.
#include "peripherals/stm32_rcc_l4.h"

namespace mcusim::peripherals {

namespace {
// RCC_CR bits (RM0432 §6.4.1).
constexpr uint32_t MSION = 1u << 0, MSIRDY = 1u << 1, MSIRGSEL = 1u << 3;
constexpr uint32_t HSION = 1u << 8, HSIRDY = 1u << 10, HSEON = 1u << 16, HSERDY = 1u << 17;
constexpr uint32_t PLLON = 1u << 24, PLLRDY = 1u << 25, PLLSAI1ON = 1u << 26, PLLSAI1RDY = 1u << 27, PLLSAI2ON = 1u << 28,
                   PLLSAI2RDY = 1u << 29;
// MSI ranges 0..11 (RM0432 §6.4.1 MSIRANGE, §6.4.29 MSISRANGE uses 4..7 of them).
constexpr double kMsiRangeHz[12] = {100e3, 200e3, 400e3, 800e3, 1e6, 2e6, 4e6, 8e6, 16e6, 24e6, 32e6, 48e6};
constexpr double kHsi16Hz = 16e6;
} // namespace

const std::vector<std::pair<const char *, uint32_t>> &Stm32RccL4::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {
      {"CR", CR}, {"CFGR", CFGR}, {"PLLCFGR", PLLCFGR}, {"CSR", CSR}};
  return regs;
}

Stm32RccL4::Stm32RccL4(const PeripheralDesc &desc, PeripheralHost &host)
    : Peripheral(desc, host), osc_{{MSION, MSIRDY, kMsiStartUs},       {HSION, HSIRDY, kHsiStartUs},
                                   {HSEON, HSERDY, kHseStartUs},       {PLLON, PLLRDY, kPllLockUs},
                                   {PLLSAI1ON, PLLSAI1RDY, kPllLockUs}, {PLLSAI2ON, PLLSAI2RDY, kPllLockUs}} {}

void Stm32RccL4::reset() {
  Peripheral::reset();
  for (auto &o : osc_) o.event = 0;
  lse_event_ = lsi_event_ = 0;
}

void Stm32RccL4::standby_reset() {
  const uint32_t bdcr = regs_.read(BDCR), lsi = regs_.read(CSR) & 3u;
  reset();
  regs_.set(BDCR, bdcr);
  regs_.set(CSR, regs_.read(CSR) | lsi);
  low_speed(BDCR, kLseStartUs, lse_event_);
  low_speed(CSR, kLsiStartUs, lsi_event_);
}


bool Stm32RccL4::models(uint32_t offset) const {
  switch (offset) {
  case CR:
  case CFGR:
  case PLLCFGR:
  case AHB1ENR:
  case AHB2ENR:
  case AHB3ENR:
  case APB1ENR1:
  case APB1ENR2:
  case APB2ENR:
  case CCIPR: return true; // stored and read back; the U(S)ART kernel clock selections are used
  case BDCR:
  case CSR: return true;
  default: return false;
  }
}

void Stm32RccL4::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  if (offset == CR) {
    // Ready flags are read-only whatever the data says.
    uint32_t ro = MSIRDY | HSIRDY | HSERDY | PLLRDY | PLLSAI1RDY | PLLSAI2RDY;
    uint32_t keep = regs_.read(CR) & ro;
    regs_.write(CR, value, mask);
    regs_.set(CR, (regs_.read(CR) & ~ro) | keep);
    for (auto &o : osc_) {
      const uint32_t cr = regs_.read(CR);
      if (cr & o.on) {
        if (!(cr & o.ready) && !o.event) {
          Oscillator *osc = &o;
          o.event = after(cycles_in_us(o.start_us), [this, osc] {
            osc->event = 0;
            if (regs_.read(CR) & osc->on) regs_.set_bits(CR, osc->ready, true);
            update_switch();
            clocks_changed();
          });
        }
      } else {
        cancel(o.event);
        regs_.set_bits(CR, o.ready, false);
      }
    }
    update_switch();
    clocks_changed();
    return;
  }
  if (offset == CFGR) {
    const uint32_t sws = regs_.read(CFGR) & 0xCu; // SWS is read-only
    regs_.write(CFGR, value, mask);
    regs_.set(CFGR, (regs_.read(CFGR) & ~0xCu) | sws);
    update_switch();
    clocks_changed();
    return;
  }
  if (offset == BDCR || offset == CSR) {
    const uint32_t rdy = regs_.read(offset) & 2u; // LSERDY / LSIRDY are read-only
    regs_.write(offset, value, mask);
    regs_.set(offset, (regs_.read(offset) & ~2u) | rdy);
    if (offset == BDCR && (regs_.read(BDCR) & (1u << 16))) regs_.set(BDCR, 1u << 16); // BDRST: the backup domain in reset
    low_speed(offset, offset == BDCR ? kLseStartUs : kLsiStartUs, offset == BDCR ? lse_event_ : lsi_event_);
    return;
  }
  regs_.write(offset, value, mask);
  clocks_changed(); // PLLCFGR (a PLL reconfigured while selected), and the first write of all
}

void Stm32RccL4::clocks_changed() {
  clock_changed();
  for (auto &fn : listeners_) fn();
}

bool Stm32RccL4::ready(unsigned source) const {
  const uint32_t cr = regs_.read(CR);
  switch (source) {
  case 0: return cr & MSIRDY;
  case 1: return cr & HSIRDY;
  case 2: return cr & HSERDY;
  default: return cr & PLLRDY;
  }
}

/// CFGR.SWS follows CFGR.SW once the selected source is ready (RM0432 §6.4.3).
void Stm32RccL4::update_switch() {
  const uint32_t cfgr = regs_.read(CFGR);
  const unsigned sw = cfgr & 3u;
  if (((cfgr >> 2) & 3u) != sw && ready(sw)) regs_.set(CFGR, (cfgr & ~0xCu) | (sw << 2));
}

double Stm32RccL4::msi_hz() const {
  const uint32_t cr = regs_.read(CR);
  unsigned range = (cr & MSIRGSEL) ? (cr >> 4) & 0xFu : (regs_.read(CSR) >> 8) & 0xFu;
  return range < 12 ? kMsiRangeHz[range] : 0;
}

double Stm32RccL4::pll_r_hz() const {
  const uint32_t p = regs_.read(PLLCFGR);
  double in = 0;
  switch (p & 3u) { // PLLSRC
  case 1: in = msi_hz(); break;
  case 2: in = kHsi16Hz; break;
  case 3: in = kHseHz; break;
  default: return 0; // no clock
  }
  const unsigned m = ((p >> 4) & 0xFu) + 1, n = (p >> 8) & 0x7Fu, r = 2 * (((p >> 25) & 3u) + 1);
  if (n < 8) return 0; // PLLN 8..127
  return in / m * n / r;
}

double Stm32RccL4::sysclk_hz() const {
  switch ((regs_.read(CFGR) >> 2) & 3u) {
  case 0: return msi_hz();
  case 1: return kHsi16Hz;
  case 2: return kHseHz;
  default: return pll_r_hz();
  }
}

double Stm32RccL4::hclk_hz() const {
  const unsigned hpre = (regs_.read(CFGR) >> 4) & 0xFu;
  static constexpr unsigned kDiv[8] = {2, 4, 8, 16, 64, 128, 256, 512};
  return hpre < 8 ? sysclk_hz() : sysclk_hz() / kDiv[hpre - 8];
}

double Stm32RccL4::pclk_hz(unsigned apb) const {
  const unsigned ppre = (regs_.read(CFGR) >> (apb == 1 ? 8 : 11)) & 7u; // RM0432 §6.4.3 PPRE1, PPRE2
  return ppre < 4 ? hclk_hz() : hclk_hz() / double(2u << (ppre - 4));
}

double Stm32RccL4::timer_clock_hz(unsigned apb) const {
  const unsigned ppre = (regs_.read(CFGR) >> (apb == 1 ? 8 : 11)) & 7u;
  return ppre < 4 ? pclk_hz(apb) : 2 * pclk_hz(apb);
}

std::optional<double> Stm32RccL4::clock_hz(std::string_view name) const {
  if (name == "SYSCLK") return sysclk_hz();
  if (name == "HCLK") return hclk_hz();
  if (name == "PCLK1") return pclk_hz(1);
  if (name == "PCLK2") return pclk_hz(2);
  if (name == "TIMPCLK1") return timer_clock_hz(1);
  if (name == "TIMPCLK2") return timer_clock_hz(2);
  if (name == "LSI") return kLsiHz;
  if (name == "LSE") return kLseHz;
  const bool lse = regs_.read(BDCR) & 2u, lsi = regs_.read(CSR) & 2u;
  if (name == "RTC") {
    const uint32_t bdcr = regs_.read(BDCR);
    switch ((bdcr >> 8) & 3u) { // RTCSEL
    case 1: return lse ? kLseHz : 0.0;
    case 2: return lsi ? kLsiHz : 0.0;
    case 3: return (regs_.read(CR) & HSERDY) ? kHseHz / 32 : 0.0;
    default: return 0.0;
    }
  }
  if (name == "LPTIM1") {
    switch ((regs_.read(CCIPR) >> 18) & 3u) { // LPTIM1SEL
    case 0: return pclk_hz(1);
    case 1: return lsi ? kLsiHz : 0.0;
    case 2: return (regs_.read(CR) & HSIRDY) ? kHsi16Hz : 0.0;
    default: return lse ? kLseHz : 0.0;
    }
  }
  return uart_kernel_hz(name);
}

std::optional<double> Stm32RccL4::uart_kernel_hz(std::string_view name) const {
  // RM0432 §6.4.28 RCC_CCIPR: two bits per U(S)ART from bit 0 (USART1SEL) to bits 11:10 (LPUART1SEL).
  static constexpr std::string_view kNames[6] = {"USART1", "USART2", "USART3", "UART4", "UART5", "LPUART1"};
  for (unsigned i = 0; i < 6; ++i) {
    if (name != kNames[i]) continue;
    switch ((regs_.read(CCIPR) >> (2 * i)) & 3u) {
    case 0: return pclk_hz(i == 0 ? 2 : 1); // USART1 is on APB2, the others on APB1 (§2.2.2)
    case 1: return sysclk_hz();
    case 2: return kHsi16Hz;
    default: return kLseHz;
    }
  }
  return std::nullopt;
}

} // namespace mcusim::peripherals
