/// \file
/// STM32L4/L4+ SYSCFG: the EXTI line routing.
#include "peripherals/stm32_syscfg_l4.h"

namespace mcusim::peripherals {

const std::vector<std::pair<const char *, uint32_t>> &Stm32SyscfgL4::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {
      {"EXTICR1", 0x08}, {"EXTICR2", 0x0C}, {"EXTICR3", 0x10}, {"EXTICR4", 0x14}};
  return regs;
}

} // namespace mcusim::peripherals
