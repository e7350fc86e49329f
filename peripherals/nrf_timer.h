/// \file
/// nRF52840 TIMER0..4 (model "nrf-timer", nRF52840 PS, "TIMER - Timer/counter"): timer
/// mode on the 16 MHz base clock through PRESCALER (f = 16 MHz / 2^PRESCALER),
/// counter mode (TASKS_COUNT), BITMODE 16/8/24/32 bits, TASKS_START/STOP/
/// CLEAR/SHUTDOWN, TASKS_CAPTURE[n] (the count into CC[n]), EVENTS_COMPARE[n]
/// when the count reaches CC[n], SHORTS COMPAREn_CLEAR (bit n) and
/// COMPAREn_STOP (bit 8 + n); as many CC registers as the data lists (4 on
/// TIMER0..2, 6 on TIMER3/4).
///
/// The count is computed from the core cycle when it is captured, not ticked;
/// each compare is one scheduled event at the cycle of the increment that
/// reaches it (the timer's clock is anchored at START).
#pragma once

#include "peripherals/nrf_peripheral.h"

namespace mcusim::peripherals {

class NrfTimer final : public NrfPeripheral {
public:
  static constexpr uint32_t TASKS_START = 0x000, TASKS_STOP = 0x004, TASKS_COUNT = 0x008, TASKS_CLEAR = 0x00C,
                            TASKS_SHUTDOWN = 0x010, TASKS_CAPTURE0 = 0x040, EVENTS_COMPARE0 = 0x140;
  static constexpr uint32_t MODE = 0x504, BITMODE = 0x508, PRESCALER = 0x510, CC0 = 0x540;
  static constexpr unsigned kMaxCc = 6;
  static constexpr uint64_t kBaseHz = 16000000;

  NrfTimer(const PeripheralDesc &desc, PeripheralHost &host);
  static const std::vector<std::pair<const char *, uint32_t>> &required();
  void reset() override;

  /// The count at core cycle `now`.
  uint32_t count_at(uint64_t now) const;
  /// The timer's tick frequency: 16 MHz / 2^PRESCALER (PRESCALER 0..9).
  uint64_t tick_hz() const;
  bool running() const { return running_; }

protected:
  void task(uint32_t offset) override;
  void write_owned(uint32_t offset, uint32_t value, uint32_t mask) override;

private:
  uint64_t hz() const;
  uint32_t mask() const;
  bool timer_mode() const { return (regs_.read(MODE) & 3u) == 0; }
  uint64_t ticks_since_anchor(uint64_t now) const;
  void rebase(uint64_t now);
  void schedule_all();
  void schedule_compare(unsigned n);
  /// COMPARE[n] at core cycle `now`.
  void compare(unsigned n, uint64_t now);
  unsigned cc_count_ = 0;
  bool running_ = false;
  uint32_t base_count_ = 0;  ///< the count at anchor_cycle_ (or while stopped)
  uint64_t anchor_cycle_ = 0;
  Scheduler::EventId cc_event_[kMaxCc] = {};
};

} // namespace mcusim::peripherals
