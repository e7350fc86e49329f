/// \file
/// STM32L4/L4+ FLASH_ACR.
#include "peripherals/stm32_flash_l4.h"

namespace mcusim::peripherals {

const std::vector<std::pair<const char *, uint32_t>> &Stm32FlashL4::required() {
  static const std::vector<std::pair<const char *, uint32_t>> regs = {{"ACR", ACR}};
  return regs;
}

} // namespace mcusim::peripherals
