/// \file
/// Nordic tasks, events, SHORTS and INTEN (nRF52840 PS, "Peripheral interface").
#include "peripherals/nrf_peripheral.h"

#include <algorithm>

namespace mcusim::peripherals {

NrfPeripheral::NrfPeripheral(const PeripheralDesc &desc, PeripheralHost &host, std::initializer_list<uint32_t> owned)
    : Peripheral(desc, host), owned_(owned) {}

void NrfPeripheral::reset() {
  Peripheral::reset();
  inten_ = 0;
}

bool NrfPeripheral::models(uint32_t offset) const {
  if (is_task(offset) || is_event(offset)) return true;
  if (offset == kIntenset || offset == kIntenclr || (offset == kInten && regs_.describe(kInten))) return true;
  if (offset == kShorts && regs_.describe(kShorts)) return true;
  return std::find(owned_.begin(), owned_.end(), offset) != owned_.end();
}

uint32_t NrfPeripheral::read_register(uint32_t offset) {
  if (is_task(offset)) return 0; // write-only
  if (is_event(offset) || offset == kShorts) return regs_.read(offset);
  if (offset == kInten || offset == kIntenset || offset == kIntenclr) return inten_;
  return read_owned(offset);
}

void NrfPeripheral::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  if (is_task(offset)) {
    if (value & mask & 1u) task(offset);
    return;
  }
  if (is_event(offset)) {
    // Firmware clears an event by writing 0; writing 1 generates it, as on hardware.
    if (!(mask & 1u)) return;
    if (value & 1u) set_event(offset);
    else regs_.set(offset, 0);
    return;
  }
  if (offset == kShorts) {
    regs_.write(offset, value, mask);
    return;
  }
  if (offset == kInten || offset == kIntenset || offset == kIntenclr) {
    const uint32_t before = inten_;
    if (offset == kInten) inten_ = (inten_ & ~mask) | (value & mask);
    else if (offset == kIntenset) inten_ |= value & mask;
    else inten_ &= ~(value & mask);
    // Newly enabled interrupts of events already set request the IRQ.
    const uint32_t enabled = inten_ & ~before;
    for (unsigned n = 0; n < 32; ++n)
      if ((enabled >> n & 1u) && is_event(kEvents + 4 * n) && event(kEvents + 4 * n)) {
        raise_irq(0);
        break;
      }
    if (inten_ != before) inten_changed();
    return;
  }
  write_owned(offset, value, mask);
}

void NrfPeripheral::set_event(uint32_t offset) {
  const unsigned n = (offset - kEvents) / 4;
  const bool irq = n < 32 && (inten_ >> n & 1u);
  if (!irq && !event_enabled(offset)) return;
  regs_.set(offset, 1);
  if (irq) raise_irq(0);
}

} // namespace mcusim::peripherals
