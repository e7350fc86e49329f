/// \file
/// STM32H7A3 PWR: voltage scaling (Stm32PwrVos) and the Stop/Standby choice of PWR_CPUCR.
#include "peripherals/stm32_pwr_h7.h"

namespace mcusim::peripherals {

const std::vector<std::pair<const char *, uint32_t>> &Stm32PwrH7::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = [] {
    auto r = Stm32PwrVos::required_for(Stm32PwrVos::kH7);
    r.emplace_back("CPUCR", CPUCR);
    return r;
  }();
  return regs;
}

void Stm32PwrH7::reset() {
  Stm32PwrVos::reset();
  cpucr_written_ = false;
}

void Stm32PwrH7::standby_reset() {
  const bool standby = regs_.read(CPUCR) & PDDS_SRD;
  reset();
  if (standby) regs_.set_bits(CPUCR, SBF, true);
}

std::optional<std::string> Stm32PwrH7::low_power_state() const {
  if (!cpucr_written_) return std::nullopt;
  return (regs_.read(CPUCR) & PDDS_SRD) ? "standby" : "stop";
}

void Stm32PwrH7::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  if (offset != CPUCR) {
    Stm32PwrVos::write_register(offset, value, mask);
    return;
  }
  cpucr_written_ = true;
  const uint32_t flags = regs_.read(CPUCR) & (STOPF | SBF); // read-only
  regs_.write(CPUCR, value, mask);
  uint32_t v = (regs_.read(CPUCR) & ~(STOPF | SBF | CSSF)) | flags; // CSSF reads 0
  if (value & mask & CSSF) v &= ~(STOPF | SBF);
  regs_.set(CPUCR, v);
}

} // namespace mcusim::peripherals
