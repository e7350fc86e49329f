/// \file
/// STM32L4/L4+ extended interrupt and event controller (model
/// "stm32-exti-l4", RM0432 §14 'EXTI'): two banks of lines (1: lines 0..31,
/// 2: lines 32..40) with IMRx, EMRx, RTSRx, FTSRx, SWIERx and PRx.
///
/// An edge on a line (trigger(): from a GPIO pin routed by SYSCFG, or from
/// another model) whose trigger is selected in RTSR/FTSR, and a 0 -> 1 write
/// to SWIER, set the line's pending bit in PR and pend its NVIC line, when
/// the line is unmasked in IMR. Writing 1 to a PR bit clears it and the
/// line's SWIER bit. Events (EMR) only wake WFE: they are stored, not applied.
///
/// NVIC lines: the block's `irqs` list, in this order: EXTI0, EXTI1, EXTI2,
/// EXTI3, EXTI4, EXTI9_5, EXTI15_10, then (optional) the line 16 (PVD/PVM)
/// and line 20 (RTC wake-up timer) interrupts.
#pragma once

#include "peripherals/peripheral.h"

#include <optional>

namespace mcusim::peripherals {

class Stm32ExtiL4 final : public Peripheral {
public:
  static constexpr uint32_t IMR1 = 0x00, EMR1 = 0x04, RTSR1 = 0x08, FTSR1 = 0x0C, SWIER1 = 0x10, PR1 = 0x14;
  static constexpr uint32_t kBank2 = 0x20; ///< IMR2 = IMR1 + kBank2, ...
  static constexpr unsigned kLines = 41;   ///< lines 0..40
  using Peripheral::Peripheral;
  static const std::vector<std::pair<const char *, uint32_t>> &required();
  bool models(uint32_t offset) const override { return (offset % kBank2) <= PR1 && offset < 2 * kBank2; }
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;

  /// An edge on `line`: rising (`rising`) or falling. Sets PR and pends the
  /// interrupt when the edge is selected (RTSR/FTSR) and the line unmasked (IMR).
  void trigger(unsigned line, bool rising);
  /// The index in the block's irqs list of `line`'s interrupt, if it has one here.
  static std::optional<size_t> irq_index(unsigned line);

private:
  /// Set `line`'s pending bit and pend its interrupt, if unmasked.
  void pend(unsigned line);
};

} // namespace mcusim::peripherals
