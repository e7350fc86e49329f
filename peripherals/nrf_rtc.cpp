/// \file
/// nRF52840 RTC: COUNTER from time, compare/tick/overflow events through the scheduler.
#include "peripherals/nrf_rtc.h"

#include <cmath>

namespace mcusim::peripherals {

const std::vector<std::pair<const char *, uint32_t>> &NrfRtc::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {
      {"TASKS_START", TASKS_START}, {"TASKS_STOP", TASKS_STOP},     {"TASKS_CLEAR", TASKS_CLEAR},
      {"EVENTS_TICK", EVENTS_TICK}, {"EVENTS_OVRFLW", EVENTS_OVRFLW}, {"EVENTS_COMPARE0", EVENTS_COMPARE0},
      {"COUNTER", COUNTER},         {"PRESCALER", PRESCALER},       {"CC0", CC0}};
  return regs;
}

NrfRtc::NrfRtc(const PeripheralDesc &desc, PeripheralHost &host)
    : NrfPeripheral(desc, host, {EVTEN, EVTENSET, EVTENCLR, COUNTER, PRESCALER, CC0, CC0 + 4, CC0 + 8, CC0 + 12}) {
  while (cc_count_ < kMaxCc && desc.register_at(EVENTS_COMPARE0 + 4 * cc_count_) && desc.register_at(CC0 + 4 * cc_count_))
    ++cc_count_;
}

void NrfRtc::reset() {
  NrfPeripheral::reset();
  running_ = false;
  base_count_ = 0;
  anchor_tick_ = 0;
  for (auto &e : cc_event_) e = 0;
  ovf_event_ = tick_event_ = 0;
}

uint64_t NrfRtc::hz() const { return uint64_t(std::llround(host_.hz)); }

uint64_t NrfRtc::lf_ticks(uint64_t cycle) const {
  const uint64_t f = hz();
  // floor(cycle * 32768 / f) without overflow for any realistic run (cycle < 2^48).
  return f ? uint64_t((unsigned __int128)cycle * kLfclkHz / f) : 0;
}

uint64_t NrfRtc::cycle_of_tick(uint64_t tick) const {
  const unsigned __int128 n = (unsigned __int128)tick * hz();
  return uint64_t((n + kLfclkHz - 1) / kLfclkHz); // ceil(tick * f / 32768)
}

uint32_t NrfRtc::counter_at(uint64_t now) const {
  if (!running_) return base_count_;
  const uint64_t inc = (lf_ticks(now) - anchor_tick_) / prescale();
  return uint32_t((base_count_ + inc) & kCounterMask);
}

void NrfRtc::rebase(uint64_t now) {
  if (running_) {
    // Keep the prescaler's phase: the anchor moves by whole increments only.
    const uint64_t inc = (lf_ticks(now) - anchor_tick_) / prescale();
    base_count_ = uint32_t((base_count_ + inc) & kCounterMask);
    anchor_tick_ += inc * prescale();
  }
}

void NrfRtc::task(uint32_t offset) {
  const uint64_t now = host_.now();
  switch (offset) {
  case TASKS_START:
    if (running_) return;
    running_ = true;
    anchor_tick_ = lf_ticks(now); // counting starts with the next LFCLK tick
    break;
  case TASKS_STOP:
    rebase(now);
    running_ = false;
    break;
  case TASKS_CLEAR:
    base_count_ = 0;
    if (running_) anchor_tick_ = lf_ticks(now);
    break;
  case TASKS_TRIGOVRFLW:
    rebase(now);
    base_count_ = 0xFFFFF0;
    break;
  default: return;
  }
  schedule_all();
}

bool NrfRtc::event_enabled(uint32_t offset) const {
  const unsigned n = (offset - kEvents) / 4;
  return n < 32 && ((regs_.read(EVTEN) | inten()) >> n & 1u);
}

uint32_t NrfRtc::read_owned(uint32_t offset) {
  if (offset == COUNTER) return counter_at(host_.now());
  if (offset == EVTENSET || offset == EVTENCLR) return regs_.read(EVTEN);
  return regs_.read(offset);
}

void NrfRtc::write_owned(uint32_t offset, uint32_t value, uint32_t mask) {
  switch (offset) {
  case COUNTER: return; // read-only
  case PRESCALER:
    if (running_) return; // writable only while the RTC is stopped (PS, RTC PRESCALER)
    regs_.write(offset, value & 0xFFFu, mask);
    return;
  case EVTEN: regs_.write(EVTEN, value, mask); break;
  case EVTENSET: regs_.set(EVTEN, regs_.read(EVTEN) | (value & mask)); break;
  case EVTENCLR: regs_.set(EVTEN, regs_.read(EVTEN) & ~(value & mask)); break;
  default: regs_.write(offset, value & kCounterMask, mask); break; // CC[n]
  }
  schedule_all();
}

void NrfRtc::schedule_match(Scheduler::EventId &id, uint32_t offset, uint32_t target) {
  cancel(id);
  if (!running_) return;
  const uint64_t now = host_.now();
  const uint64_t done = (lf_ticks(now) - anchor_tick_) / prescale(); // increments so far
  const uint32_t count = uint32_t((base_count_ + done) & kCounterMask);
  uint64_t d = (target - count) & kCounterMask;
  if (d == 0) d = kCounterMask + 1ull; // COUNTER already there: the next time round
  const uint64_t when = cycle_of_tick(anchor_tick_ + (done + d) * prescale());
  Scheduler::EventId *slot = &id;
  id = at_cycle(when, [this, slot, offset, target] {
    *slot = 0;
    set_event(offset);
    if (offset == EVENTS_OVRFLW || offset >= EVENTS_COMPARE0) schedule_match(*slot, offset, target);
  });
}

void NrfRtc::schedule_tick() {
  cancel(tick_event_);
  if (!running_ || !event_enabled(EVENTS_TICK)) return;
  const uint64_t now = host_.now();
  const uint64_t done = (lf_ticks(now) - anchor_tick_) / prescale();
  const uint64_t when = cycle_of_tick(anchor_tick_ + (done + 1) * prescale());
  tick_event_ = at_cycle(when, [this] {
    tick_event_ = 0;
    set_event(EVENTS_TICK);
    schedule_tick();
  });
}

void NrfRtc::schedule_all() {
  for (unsigned i = 0; i < cc_count_; ++i) schedule_match(cc_event_[i], EVENTS_COMPARE0 + 4 * i, regs_.read(CC0 + 4 * i));
  if (event_enabled(EVENTS_OVRFLW)) schedule_match(ovf_event_, EVENTS_OVRFLW, 0);
  else cancel(ovf_event_);
  schedule_tick();
}

} // namespace mcusim::peripherals
