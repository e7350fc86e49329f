/// \file
/// STM32 advanced-control timers (TIM1/TIM8) and the general-purpose timers
/// with a repetition counter (TIM15/TIM16/TIM17), model "stm32-tim-advanced",
/// RM0432 §30 'Advanced-control timers (TIM1/TIM8)' and §32 'General-purpose
/// timers (TIM15/TIM16/TIM17)' for the STM32L4R5. The time base and the
/// output-compare flags are those of Stm32Tim (peripherals/stm32_tim.h);
/// this class adds:
///
/// - the repetition counter (RM0432 §30.3.3, §32.4.3 'Repetition counter'):
///   with TIMx_RCR = N the update event (UIF, the shadow registers loaded)
///   comes every N + 1 counter overflows; REP_CNT is reloaded from RCR (a
///   preloaded register) at every update event, EGR.UG included;
/// - the timer clock TIMPCLK2 (the APB2 timers, RM0432 §6.2 clock tree);
/// - channel count from the block's registers: CCR4 listed -> 4 channels
///   (TIM1/TIM8), CCR2 -> 2 (TIM15), else 1 (TIM16/TIM17);
/// - the interrupt lines: a block with 4 irqs drives them as
///   [BRK, UP, TRG_COM, CC] (TIM1: TIM1_BRK_TIM15, TIM1_UP_TIM16,
///   TIM1_TRG_COM_TIM17, TIM1_CC), each a level (flags AND enables != 0,
///   set_irq_level); a block with one irq drives every flag on it;
/// - BDTR (break and dead-time) stored; EGR.BG sets SR.BIF and EGR.COMG
///   sets SR.COMIF (the break input and commutation are otherwise not modelled).
///
/// Center-aligned counting (CR1.CMS), the capture inputs, the slave mode
/// controller and the outputs (OCxREF, dead time, MOE) are not modelled.
#pragma once

#include "peripherals/stm32_tim.h"

namespace mcusim::peripherals {

class Stm32TimAdvanced final : public Stm32Tim {
public:
  static constexpr uint32_t RCR = 0x30, BDTR = 0x44;
  // TIMx_SR / TIMx_DIER / TIMx_EGR bits (RM0432 §30.4.5, §30.4.6).
  static constexpr uint32_t COMIF = 1u << 5, TIF = 1u << 6, BIF = 1u << 7, B2IF = 1u << 8, SBIF = 1u << 13;
  /// The interrupt lines of a four-line block, in the order of its irqs.
  enum Line : size_t { kBrk = 0, kUp = 1, kTrgCom = 2, kCc = 3 };

  Stm32TimAdvanced(const PeripheralDesc &desc, PeripheralHost &host);
  static const std::vector<std::pair<const char *, uint32_t>> &required();

  void reset() override;
  bool models(uint32_t offset) const override;
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;

  /// Capture/compare channels of the block (4, 2 or 1).
  unsigned channels() const { return channels_; }
  /// The repetition down-counter REP_CNT: overflows left before the next update event.
  uint32_t repetitions_left() const { return rep_; }

private:
  const char *timer_clock() const override { return "TIMPCLK2"; }
  bool output_channel(unsigned ch) const override;
  void overflow(uint64_t at) override;
  void update_event(bool flag) override;
  void set_flags(uint32_t bits) override;
  /// Every interrupt line driven from SR AND the DIER enables.
  void update_lines();
  void drive(size_t line, bool active);
  /// The SR flags that DIER enables.
  uint32_t enabled_flags() const;

  unsigned channels_ = 4;
  uint32_t rcr_mask_ = 0xFFFF; ///< REP is 16 bits on TIM1/TIM8, 8 bits on TIM15/16/17
  uint32_t rep_ = 0;
  unsigned levels_ = 0; ///< the lines driven active (bit per irqs index): set_irq_level on a change only
};

} // namespace mcusim::peripherals
