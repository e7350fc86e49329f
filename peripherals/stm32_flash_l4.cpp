/// \file
/// STM32 FLASH_ACR: LATENCY and the prefetch / cache enables for the cycle model.
#include "peripherals/stm32_flash_l4.h"

namespace mcusim::peripherals {

const std::vector<std::pair<const char *, uint32_t>> &Stm32FlashL4::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {{"ACR", ACR}};
  return regs;
}

void Stm32FlashL4::reset() {
  Peripheral::reset();
  changed_ = 0;
}

void Stm32FlashL4::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  const uint32_t before = regs_.read(ACR);
  Peripheral::write_register(offset, value, mask);
  changed_ |= (before ^ regs_.read(ACR)) & (kPrften | kIcen | kDcen);
  clock_changed();
}

std::optional<CoreClock::Accel> Stm32FlashL4::flash_accel() const {
  if (!changed_) return std::nullopt;
  CoreClock::Accel a;
  const uint32_t acr = regs_.read(ACR);
  if (changed_ & kPrften) a.prefetch = bool(acr & kPrften);
  if (changed_ & kIcen) a.icache = bool(acr & kIcen);
  if (changed_ & kDcen) a.dcache = bool(acr & kDcen);
  return a;
}

} // namespace mcusim::peripherals
