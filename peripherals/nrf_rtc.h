/// \file
/// nRF52840 RTC0/1/2 (model "nrf-rtc", nRF52840 PS, "RTC - Real-time counter"): a 24-bit
/// COUNTER on the 32.768 kHz LFCLK through a 12-bit PRESCALER
/// (f = 32768 / (PRESCALER + 1)), TASKS_START/STOP/CLEAR/TRIGOVRFLW, the
/// compare registers CC[n] (as many as the data lists: RTC0 has 3, RTC1 and
/// RTC2 4) with EVENTS_COMPARE[n], EVENTS_TICK and EVENTS_OVRFLW,
/// INTENSET/INTENCLR and EVTEN/EVTENSET/EVTENCLR (an event is written to its
/// register when EVTEN or INTEN enables it).
///
/// COUNTER is computed on read from the core cycle (PeripheralHost::now), not
/// ticked: the LFCLK is a free-running grid whose tick j falls on core cycle
/// ceil(j * f_core / 32768), and a started RTC increments on every
/// (PRESCALER + 1)-th tick after the START. Each compare (and TICK, OVRFLW
/// when enabled) is one scheduled event at the cycle of the increment that
/// reaches it.
#pragma once

#include "peripherals/nrf_peripheral.h"

namespace mcusim::peripherals {

class NrfRtc final : public NrfPeripheral {
public:
  static constexpr uint32_t TASKS_START = 0x000, TASKS_STOP = 0x004, TASKS_CLEAR = 0x008, TASKS_TRIGOVRFLW = 0x00C;
  static constexpr uint32_t EVENTS_TICK = 0x100, EVENTS_OVRFLW = 0x104, EVENTS_COMPARE0 = 0x140;
  static constexpr uint32_t EVTEN = 0x340, EVTENSET = 0x344, EVTENCLR = 0x348, COUNTER = 0x504, PRESCALER = 0x508, CC0 = 0x540;
  static constexpr unsigned kMaxCc = 4;
  static constexpr uint32_t kCounterMask = 0xFFFFFF;
  static constexpr uint64_t kLfclkHz = 32768;

  NrfRtc(const PeripheralDesc &desc, PeripheralHost &host);
  static const std::vector<std::pair<const char *, uint32_t>> &required();
  void reset() override;

  /// COUNTER at the core cycle `now`.
  uint32_t counter_at(uint64_t now) const;
  /// The LFCLK ticks that have occurred by core cycle `cycle`, and the cycle of tick `tick`.
  uint64_t lf_ticks(uint64_t cycle) const;
  uint64_t cycle_of_tick(uint64_t tick) const;

protected:
  void task(uint32_t offset) override;
  void write_owned(uint32_t offset, uint32_t value, uint32_t mask) override;
  uint32_t read_owned(uint32_t offset) override;
  bool event_enabled(uint32_t offset) const override;
  void inten_changed() override { schedule_all(); }

private:
  uint64_t hz() const;
  unsigned prescale() const { return (regs_.read(PRESCALER) & 0xFFFu) + 1; }
  /// Freeze the counter at `now` into base_count_ and re-anchor the grid there.
  void rebase(uint64_t now);
  /// (Re)schedule the compare, tick and overflow events from the current state.
  void schedule_all();
  /// Schedule the event `offset` at the next increment that makes COUNTER == `target`.
  void schedule_match(Scheduler::EventId &id, uint32_t offset, uint32_t target);
  void schedule_tick();
  unsigned cc_count_ = 0;
  bool running_ = false;
  uint32_t base_count_ = 0;  ///< COUNTER at anchor_tick_ (or while stopped)
  uint64_t anchor_tick_ = 0; ///< the LFCLK tick from which the prescaler counts
  Scheduler::EventId cc_event_[kMaxCc] = {}, ovf_event_ = 0, tick_event_ = 0;
};

} // namespace mcusim::peripherals
