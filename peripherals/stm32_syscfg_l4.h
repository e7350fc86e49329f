/// \file
/// STM32L4/L4+ system configuration controller (model "stm32-syscfg-l4",
/// RM0432 §9 'SYSCFG'): EXTICR1..4, which port's pin n drives EXTI line n
/// (4 bits per line: 0 = GPIOA, 1 = GPIOB, ... 8 = GPIOI). The other
/// registers are left to the register file.
#pragma once

#include "peripherals/peripheral.h"

namespace mcusim::peripherals {

class Stm32SyscfgL4 final : public Peripheral {
public:
  static constexpr uint32_t EXTICR1 = 0x08, EXTICR4 = 0x14;
  using Peripheral::Peripheral;
  static const std::vector<std::pair<const char *, uint32_t>> &required();
  bool models(uint32_t offset) const override { return offset >= EXTICR1 && offset <= EXTICR4; }
  /// The port index (GPIOA 0, ...) routed to EXTI line `line` (0..15).
  unsigned exti_port(unsigned line) const {
    return line < 16 ? (regs_.read(EXTICR1 + 4 * (line / 4)) >> (4 * (line % 4))) & 0xF : ~0u;
  }
};

} // namespace mcusim::peripherals
