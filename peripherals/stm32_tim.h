/// \file
/// STM32 basic (TIM6/TIM7, model "stm32-tim-basic") and general-purpose
/// (TIM2..TIM5, model "stm32-tim-general") timers, RM0432 'Basic timers' and
/// 'General-purpose timers' for the STM32L4R5: the time-base unit (CR1 CEN,
/// UDIS, URS, OPM, ARPE, UIFREMAP and, general-purpose, DIR; PSC and ARR with
/// their shadow registers; CNT; EGR.UG; SR.UIF; DIER.UIE) and, on the
/// general-purpose timers, the compare flags CCxIF of the four channels in
/// output-compare mode with their interrupts (CCxIE).
///
/// The counter is never ticked: CNT is computed on read from the core cycle
/// (PeripheralHost::now), and each overflow (update event) and compare match
/// is one scheduler event at its exact cycle. The timer clock is TIMPCLKx
/// from the RCC (PCLKx, twice PCLKx when the APB prescaler is not 1), so one
/// timer tick is HCLK / TIMPCLKx core cycles, a whole number (1, 2, 4 or 8);
/// the counter steps every (PSC + 1) ticks. Because the timer clock comes
/// from HCLK, a change of the core clock does not change the timer's period
/// in core cycles (its events are Timebase::CoreClock, not retimed); a change of the APB
/// prescaler does, and the RCC tells the timer (add_clock_listener).
#pragma once

#include "peripherals/peripheral.h"

namespace mcusim::peripherals {

class Stm32Tim : public Peripheral {
public:
  // Register offsets (RM0432 TIMx register maps).
  static constexpr uint32_t CR1 = 0x00, DIER = 0x0C, SR = 0x10, EGR = 0x14, CCMR1 = 0x18, CCMR2 = 0x1C, CNT = 0x24,
                            PSC = 0x28, ARR = 0x2C, CCR1 = 0x34;
  // TIMx_CR1 bits.
  static constexpr uint32_t CEN = 1u << 0, UDIS = 1u << 1, URS = 1u << 2, OPM = 1u << 3, DIR = 1u << 4,
                            CMS = 3u << 5, ARPE = 1u << 7, UIFREMAP = 1u << 11;
  // TIMx_DIER / TIMx_SR / TIMx_EGR bit 0: UIE / UIF / UG; bits 1..4: CCxIE / CCxIF / CCxG.
  static constexpr uint32_t UIF = 1u << 0;

  enum class Kind { Basic, General };
  Stm32Tim(const PeripheralDesc &desc, PeripheralHost &host, Kind kind);
  static const std::vector<std::pair<const char *, uint32_t>> &required_basic();
  static const std::vector<std::pair<const char *, uint32_t>> &required_general();

  void reset() override;
  bool models(uint32_t offset) const override;
  uint32_t read_register(uint32_t offset) override;
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;
  void connect(PeripheralBus &bus) override;

  /// Core cycles per timer clock tick (HCLK / TIMPCLK1; 1 without an RCC model).
  uint64_t cycles_per_tick() const { return ratio_; }
  /// The counter's largest value: 0xFFFF, or 0xFFFFFFFF for a 32-bit timer
  /// (the width of ARR's reset value in the data: TIM2 and TIM5).
  uint32_t max_count() const { return max_; }
  /// Whether the counter is counting (CR1.CEN).
  bool counting() const { return counting_; }

protected:
  /// The RCC clock that counts (TIMPCLK1 for the APB1 timers; Stm32TimAdvanced: TIMPCLK2).
  virtual const char *timer_clock() const { return "TIMPCLK1"; }
  uint32_t cr1() const { return regs_.read(CR1); }
  bool down() const { return kind_ == Kind::General && (cr1() & DIR); }
  uint64_t cycles_per_step() const { return uint64_t(psc_ + 1) * ratio_; }
  /// The counter value at cycle `t` (no overflow lies before `t`: advance() ran).
  uint32_t count_at(uint64_t t) const;
  /// Overflows and compare matches due by `now`, each at its own cycle.
  void advance(uint64_t now);
  /// Keep the count and the prescaler phase, re-anchored at `now`.
  void rebase(uint64_t now);
  /// The counter restarts at `count` at cycle `at` (prescaler phase 0).
  void restart(uint64_t at, uint32_t count);
  /// Overflow / underflow at cycle `at`: counter wraps, update event unless UDIS.
  virtual void overflow(uint64_t at);
  /// An update event: shadow registers loaded; UIF set when `flag`.
  virtual void update_event(bool flag);
  /// The next overflow cycle, or kNever (stopped, or ARR = 0: the counter is blocked).
  uint64_t next_overflow() const;
  /// Whether channel `ch` (0..3) is an output-compare channel (CCMRx.CCxS = 00).
  virtual bool output_channel(unsigned ch) const;
  /// The next compare match of channel `ch` after the cycle up to which events are done, or kNever.
  uint64_t next_match(unsigned ch) const;
  /// The flags of output channels whose CCR equals the counter just wrapped to.
  void match_at_wrap();
  /// Set SR bits and pend the IRQ for those DIER enables.
  virtual void set_flags(uint32_t bits);
  /// Re-schedule the one pending event at the earliest of the next overflow and matches.
  void reschedule();
  /// The timer clock ratio from the RCC; a change rebases the count.
  void clock_update();

  const Kind kind_;
  uint32_t max_ = 0xFFFF;
  PeripheralBus *bus_ = nullptr;
  uint64_t ratio_ = 1;
  bool counting_ = false;
  uint64_t t0_ = 0;         ///< the cycle at which the counter held c0_, prescaler at phase 0
  uint32_t c0_ = 0;         ///< the counter value at t0_
  uint64_t done_ = 0;       ///< overflows and matches at cycles up to here are done
  uint32_t psc_ = 0;        ///< active prescaler (loaded at update events)
  uint32_t arr_ = 0;        ///< active auto-reload value
  Scheduler::EventId event_ = 0;
  uint64_t event_at_ = Scheduler::kNever;
};

} // namespace mcusim::peripherals
