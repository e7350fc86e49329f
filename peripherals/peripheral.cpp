/// \file
/// The common part of every peripheral model: registers, scheduled events, IRQs.
#include "peripherals/peripheral.h"

#include <algorithm>
#include <cmath>

namespace mcusim::peripherals {

Peripheral::Peripheral(const PeripheralDesc &desc, PeripheralHost &host) : desc_(desc), host_(host), regs_(desc_) {}

Peripheral::~Peripheral() {
  for (const auto &e : events_) host_.scheduler.cancel(e.id);
}

void Peripheral::reset() {
  for (const auto &e : events_) host_.scheduler.cancel(e.id);
  events_.clear();
  regs_.reset();
}

Scheduler::EventId Peripheral::track(Scheduler::EventId id, Timebase timebase) {
  std::erase_if(events_, [this](const Pending &e) { return host_.scheduler.when(e.id) == Scheduler::kNever; });
  events_.push_back({id, timebase});
  return id;
}

Scheduler::EventId Peripheral::after(uint64_t cycles, std::function<void()> fn, Timebase timebase) {
  return track(host_.scheduler.schedule(host_.now() + cycles, [fn = std::move(fn)](uint64_t) { fn(); }), timebase);
}

Scheduler::EventId Peripheral::at(uint64_t when, std::function<void(uint64_t due)> fn, Timebase timebase) {
  return track(host_.scheduler.schedule(when, std::move(fn)), timebase);
}

void Peripheral::cancel(Scheduler::EventId &id) {
  if (!id) return;
  host_.scheduler.cancel(id);
  std::erase_if(events_, [id](const Pending &e) { return e.id == id; });
  id = 0;
}

void Peripheral::retime(uint64_t now, double ratio) {
  for (const auto &e : events_) {
    if (e.timebase == Timebase::CoreClock) continue; // counted in clocks that follow the core's
    const uint64_t when = host_.scheduler.when(e.id);
    if (when == Scheduler::kNever || when <= now) continue;
    host_.scheduler.retime(e.id, now + std::max<uint64_t>(1, uint64_t(std::llround(double(when - now) * ratio))));
  }
}

uint64_t Peripheral::cycles_in_us(double us) const { return std::max<uint64_t>(1, uint64_t(std::llround(us * host_.hz / 1e6))); }

void Peripheral::raise_irq(size_t index) {
  if (index < desc_.irqs.size() && host_.set_irq_pending) host_.set_irq_pending(desc_.irqs[index]);
}

void Peripheral::set_irq_level(size_t index, bool active) {
  if (index >= desc_.irqs.size()) return;
  if (host_.set_irq_level) host_.set_irq_level(desc_.irqs[index], active);
  else if (active) raise_irq(index);
}

// BDCR.LSEON/LSERDY and CSR.LSION/LSIRDY share bits 0 and 1 (RM0432 §6.4.29, §6.4.30; RM0455 RCC_BDCR, RCC_CSR).
void Peripheral::low_speed(uint32_t reg, double start_us, Scheduler::EventId &event) {
  const uint32_t v = regs_.read(reg);
  if (!(v & 1u)) {
    cancel(event);
    regs_.set_bits(reg, 2u, false);
  } else if (!(v & 2u) && !event) {
    event = after(cycles_in_us(start_us), [this, reg, &event] {
      event = 0;
      if (regs_.read(reg) & 1u) regs_.set_bits(reg, 2u, true);
    });
  }
}

} // namespace mcusim::peripherals
