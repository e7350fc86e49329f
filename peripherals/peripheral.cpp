/// \file
/// The common part of every peripheral model: registers, scheduled events, IRQs.
#include "peripherals/peripheral.h"

#include <algorithm>
#include <cmath>

namespace mcusim::peripherals {

Peripheral::Peripheral(const PeripheralDesc &desc, PeripheralHost &host) : desc_(desc), host_(host), regs_(desc_) {}

Peripheral::~Peripheral() {
  for (auto id : events_) host_.scheduler.cancel(id);
}

void Peripheral::reset() {
  for (auto id : events_) host_.scheduler.cancel(id);
  events_.clear();
  regs_.reset();
}

Scheduler::EventId Peripheral::after(uint64_t cycles, std::function<void()> fn) {
  auto id = host_.scheduler.schedule(host_.now() + cycles, [fn = std::move(fn)](uint64_t) { fn(); });
  events_.push_back(id);
  return id;
}

Scheduler::EventId Peripheral::at(uint64_t when, std::function<void(uint64_t due)> fn) {
  auto id = host_.scheduler.schedule(when, std::move(fn));
  events_.push_back(id);
  return id;
}

void Peripheral::cancel(Scheduler::EventId &id) {
  if (!id) return;
  host_.scheduler.cancel(id);
  events_.erase(std::remove(events_.begin(), events_.end(), id), events_.end());
  id = 0;
}

void Peripheral::retime(uint64_t now, double ratio) {
  for (auto id : events_) {
    const uint64_t when = host_.scheduler.when(id);
    if (when == Scheduler::kNever || when <= now) continue;
    host_.scheduler.retime(id, now + std::max<uint64_t>(1, uint64_t(std::llround(double(when - now) * ratio))));
  }
}

uint64_t Peripheral::cycles_in_us(double us) const { return std::max<uint64_t>(1, uint64_t(std::llround(us * host_.hz / 1e6))); }

void Peripheral::raise_irq(size_t index) {
  if (index < desc_.irqs.size() && host_.set_irq_pending) host_.set_irq_pending(desc_.irqs[index]);
}

} // namespace mcusim::peripherals
