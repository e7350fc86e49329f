/// \file
/// nRF52840 FICR/NVMC/TEMP calibration (fixed or stored registers) and UICR (non-volatile).
#include "peripherals/nrf_info.h"

namespace mcusim::peripherals {

void NrfUicr::write_register(uint32_t offset, uint32_t value, uint32_t mask) {
  // Programming flash clears the bits written 0; it never sets one (nRF52840 PS §4.3 'NVMC').
  regs_.set(offset, regs_.read(offset) & (value | ~mask));
}

} // namespace mcusim::peripherals
