/// \file
/// STM32L4/L4+ PWR: VOS changes and the VOSF flag.
#include "peripherals/stm32_pwr_l4.h"

namespace mcusim::peripherals {

namespace {
constexpr uint32_t kVosMask = 3u << 9;  // PWR_CR1.VOS
constexpr uint32_t kVosf = 1u << 10;    // PWR_SR2.VOSF
} // namespace

const std::vector<std::pair<const char *, uint32_t>> &Stm32PwrL4::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {{"CR1", CR1}, {"SR2", SR2}, {"CR5", CR5}};
  return regs;
}

void Stm32PwrL4::reset() {
  Peripheral::reset();
  settle_ = 0;
  lpms_written_ = false;
}

void Stm32PwrL4::standby_reset() {
  const bool standby = (regs_.read(CR1) & 7u) == 3u;
  const uint32_t cr3 = regs_.read(CR3); // not reset by the Standby exit (RM0432 §5.4.3 [UNVERIFIED])
  reset();
  regs_.set(CR3, cr3);
  if (standby) regs_.set_bits(SR1, kSbf, true);
}

std::optional<std::string> Stm32PwrL4::low_power_state() const {
  if (!lpms_written_) return std::nullopt;
  switch (regs_.read(CR1) & 7u) {
  case 0: return "stop0";
  case 1: return "stop1";
  case 2: return "stop2";
  case 3: return "standby";
  default: return "shutdown";
  }
}

void Stm32PwrL4::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  if (offset == SR1 || offset == SR2) return; // read-only
  if (offset == SCR) { // write-only: CSBF clears SR1.SBF (the other clear bits act on flags not modelled)
    if (value & mask & kSbf) regs_.set_bits(SR1, kSbf, false);
    return;
  }
  if (offset == CR1) lpms_written_ = true;
  const uint32_t before = regs_.read(CR1) & kVosMask;
  regs_.write(offset, value, mask);
  if (offset == CR1 && (regs_.read(CR1) & kVosMask) != before) {
    clock_changed(); // the energy model's mode follows VOS (power_mode())
    regs_.set_bits(SR2, kVosf, true);
    cancel(settle_);
    settle_ = after(cycles_in_us(kVosSettleUs), [this] {
      settle_ = 0;
      regs_.set_bits(SR2, kVosf, false);
    });
  }
}

std::optional<std::string> Stm32PwrL4::power_mode() const {
  switch (vos_range()) {
  case 1: return "range1"; // RM0432 §5.4.1: VOS = 01 Range 1
  case 2: return "range2"; // VOS = 10 Range 2
  default: return std::nullopt;
  }
}

unsigned Stm32PwrL4::vos_range() const {
  switch ((regs_.read(CR1) & kVosMask) >> 9) {
  case 1: return 1;
  case 2: return 2;
  default: return 0;
  }
}

std::optional<bool> Stm32PwrL4::standby_keeps(const std::string &name) const {
  if (name != "PWR_CR3.RRS") return std::nullopt;
  return (regs_.read(CR3) & (1u << 8)) != 0; // RRS: SRAM2 retention in Standby (RM0432 §5.4.3)
}

} // namespace mcusim::peripherals
