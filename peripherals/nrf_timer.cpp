/// \file
/// nRF52840 TIMER: count from time, compare events and shortcuts through the scheduler.
#include "peripherals/nrf_timer.h"

#include <cmath>

namespace mcusim::peripherals {

const std::vector<std::pair<const char *, uint32_t>> &NrfTimer::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {
      {"TASKS_START", TASKS_START}, {"TASKS_STOP", TASKS_STOP}, {"TASKS_CLEAR", TASKS_CLEAR},
      {"TASKS_CAPTURE0", TASKS_CAPTURE0}, {"EVENTS_COMPARE0", EVENTS_COMPARE0}, {"SHORTS", kShorts},
      {"MODE", MODE}, {"BITMODE", BITMODE}, {"PRESCALER", PRESCALER}, {"CC0", CC0}};
  return regs;
}

NrfTimer::NrfTimer(const PeripheralDesc &desc, PeripheralHost &host)
    : NrfPeripheral(desc, host, {MODE, BITMODE, PRESCALER, CC0, CC0 + 4, CC0 + 8, CC0 + 12, CC0 + 16, CC0 + 20}) {
  while (cc_count_ < kMaxCc && desc.register_at(EVENTS_COMPARE0 + 4 * cc_count_) && desc.register_at(CC0 + 4 * cc_count_))
    ++cc_count_;
}

void NrfTimer::reset() {
  NrfPeripheral::reset();
  running_ = false;
  base_count_ = 0;
  anchor_cycle_ = 0;
  for (auto &e : cc_event_) e = 0;
}

uint64_t NrfTimer::hz() const { return uint64_t(std::llround(host_.hz)); }

uint64_t NrfTimer::tick_hz() const {
  const unsigned p = regs_.read(PRESCALER) & 0xFu;
  return kBaseHz >> (p > 9 ? 9 : p);
}

uint32_t NrfTimer::mask() const {
  switch (regs_.read(BITMODE) & 3u) {
  case 0: return 0xFFFF;
  case 1: return 0xFF;
  case 2: return 0xFFFFFF;
  default: return 0xFFFFFFFF;
  }
}

uint64_t NrfTimer::ticks_since_anchor(uint64_t now) const {
  if (!running_ || !timer_mode() || now <= anchor_cycle_ || !hz()) return 0;
  return uint64_t((unsigned __int128)(now - anchor_cycle_) * tick_hz() / hz());
}

uint32_t NrfTimer::count_at(uint64_t now) const { return uint32_t((base_count_ + ticks_since_anchor(now)) & mask()); }

void NrfTimer::rebase(uint64_t now) {
  base_count_ = count_at(now);
  anchor_cycle_ = now;
}

void NrfTimer::task(uint32_t offset) {
  const uint64_t now = host_.now();
  if (offset >= TASKS_CAPTURE0 && offset < TASKS_CAPTURE0 + 4 * cc_count_) {
    regs_.set(CC0 + (offset - TASKS_CAPTURE0), count_at(now));
    schedule_all();
    return;
  }
  switch (offset) {
  case TASKS_START:
    if (running_) return;
    running_ = true;
    anchor_cycle_ = now;
    break;
  case TASKS_STOP:
    rebase(now);
    running_ = false;
    break;
  case TASKS_SHUTDOWN: // deprecated: stop, and the count is lost
    running_ = false;
    base_count_ = 0;
    break;
  case TASKS_CLEAR:
    base_count_ = 0;
    anchor_cycle_ = now;
    break;
  case TASKS_COUNT:
    if (timer_mode() || !running_) return;
    base_count_ = (base_count_ + 1) & mask();
    for (unsigned n = 0; n < cc_count_; ++n)
      if ((regs_.read(CC0 + 4 * n) & mask()) == base_count_) compare(n, now);
    return;
  default: return;
  }
  schedule_all();
}

void NrfTimer::write_owned(uint32_t offset, uint32_t value, uint32_t mask_) {
  if (offset == MODE || offset == BITMODE || offset == PRESCALER) {
    // Configuration is meant to change only while stopped; keep the count consistent anyway.
    rebase(host_.now());
    regs_.write(offset, value, mask_);
  } else {
    regs_.write(offset, value, mask_); // CC[n]
  }
  schedule_all();
}

/// COMPARE[n]: the event, then the shortcuts (COMPAREn_CLEAR, COMPAREn_STOP).
void NrfTimer::compare(unsigned n, uint64_t now) {
  set_event(EVENTS_COMPARE0 + 4 * n);
  const uint32_t sh = shorts();
  bool changed = false;
  if (sh >> n & 1u) {
    base_count_ = 0;
    anchor_cycle_ = now;
    changed = true;
  }
  if (sh >> (8 + n) & 1u) {
    rebase(now);
    running_ = false;
    changed = true;
  }
  if (changed) schedule_all();
}

void NrfTimer::schedule_compare(unsigned n) {
  cancel(cc_event_[n]);
  if (!running_ || !timer_mode() || !hz()) return;
  const uint64_t now = host_.now();
  const uint64_t done = ticks_since_anchor(now);
  const uint64_t span = uint64_t(mask()) + 1;
  const uint32_t count = uint32_t((base_count_ + done) & mask());
  uint64_t d = (uint64_t(regs_.read(CC0 + 4 * n)) - count) & mask();
  if (d == 0) d = span; // already there: the next time round
  // Increment k after the anchor falls on cycle anchor + ceil(k * f_core / f_timer).
  const unsigned __int128 k = done + d;
  const uint64_t when = anchor_cycle_ + uint64_t((k * hz() + tick_hz() - 1) / tick_hz());
  cc_event_[n] = at_cycle(when, [this, n, when] {
    cc_event_[n] = 0;
    compare(n, when); // at the cycle it was due, though the run loop may get here a little later
    if (!cc_event_[n]) schedule_compare(n);
  });
}

void NrfTimer::schedule_all() {
  for (unsigned n = 0; n < cc_count_; ++n) schedule_compare(n);
}

} // namespace mcusim::peripherals
