/// \file
/// STM32H7 extended interrupt and event controller (model "stm32-exti-h7",
/// RM0455 'Extended interrupt and event controller (EXTI)' for the
/// STM32H7A3/B3): three banks of lines (0..31, 32..63, 64..95), each with
/// RTSRx, FTSRx, SWIERx (and the SmartRun-domain D3PMRx/D3PCRx, stored) at
/// 0x20 x bank, and the CPU's CPUIMRx, CPUEMRx, CPUPRx at 0x80 + 0x10 x bank.
///
/// An edge on a configurable line (trigger(): from a GPIO pin routed by
/// SYSCFG_EXTICRx, or from another model) whose trigger is selected in
/// RTSR/FTSR, and a 0 -> 1 write to SWIER, set the line's CPUPR bit when the
/// line is unmasked in CPUIMR. Writing 1 to a CPUPR bit clears it and the
/// line's SWIER bit. The NVIC line of each interrupt is driven as a level:
/// active while any of its lines has CPUPR and CPUIMR set. Events (CPUEMR,
/// WFE) and the direct lines' inputs are stored, not applied.
///
/// NVIC lines: the block's `irqs` list, in this order: EXTI0, EXTI1, EXTI2,
/// EXTI3, EXTI4, EXTI9_5, EXTI15_10.
#pragma once

#include "peripherals/peripheral.h"

#include <optional>

namespace mcusim::peripherals {

class Stm32ExtiH7 final : public Peripheral {
public:
  static constexpr uint32_t RTSR1 = 0x00, FTSR1 = 0x04, SWIER1 = 0x08, kBank = 0x20;
  static constexpr uint32_t CPUIMR1 = 0x80, CPUEMR1 = 0x84, CPUPR1 = 0x88, kCpuBank = 0x10;
  static constexpr unsigned kBanks = 3;
  static constexpr size_t kIrqs = 7; ///< EXTI0..4, EXTI9_5, EXTI15_10
  using Peripheral::Peripheral;
  static const std::vector<std::pair<const char *, uint32_t>> &required();
  void reset() override;
  bool models(uint32_t offset) const override;
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;

  /// An edge on `line` (0..95): rising (`rising`) or falling. Sets CPUPR and
  /// raises the interrupt when the edge is selected (RTSR/FTSR) and the line unmasked (CPUIMR).
  void trigger(unsigned line, bool rising);
  /// The index in the block's irqs list of `line`'s interrupt, if it has one here.
  static std::optional<size_t> irq_index(unsigned line);

private:
  /// Set `line`'s pending bit, if unmasked.
  void pend(unsigned line);
  /// Drive every NVIC line from CPUPR & CPUIMR.
  void update_irqs();
};

} // namespace mcusim::peripherals
