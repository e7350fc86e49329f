/// \file
/// nRF52840 information and non-volatile configuration blocks (nRF52840
/// Product Specification v1.7, §4.4 'FICR - Factory information
/// configuration registers' and §4.5 'UICR - User information
/// configuration registers'):
///
/// - model "nrf-static": a block whose listed registers are their whole
///   behaviour: each reads back its documented value (the device file's
///   reset value), the bits `read_only` marks ignore writes, the rest store
///   what is written; accesses are not reported as unmodelled. Used for FICR
///   (every word read-only: the factory's values), for NVMC's READY and
///   CONFIG (flash operations complete at once in the model, so READY is
///   always 1), and for TEMP's calibration registers A0..T4 that the errata
///   workarounds of SystemInit copy from FICR.
/// - model "nrf-uicr": UICR, non-volatile: its words keep their values
///   across every reset (System OFF wake-up, SYSRESETREQ) and a write
///   programs them as flash does, clearing the bits written 0 (new = old AND
///   value; only an erase sets bits, not modelled). The erased value is
///   0xFFFFFFFF (the device file's reset values). NVMC.CONFIG.WEN is not checked.
///
/// Unlisted offsets are left to the register file (reported as unmodelled).
#pragma once

#include "peripherals/peripheral.h"

namespace mcusim::peripherals {

class NrfStatic final : public Peripheral {
public:
  using Peripheral::Peripheral;
  bool models(uint32_t offset) const override { return desc_.register_at(offset) != nullptr; }
};

class NrfUicr final : public Peripheral {
public:
  using Peripheral::Peripheral;
  /// Non-volatile: the words keep their values (the register file starts at the erased values).
  void reset() override {}
  void standby_reset() override {}
  bool models(uint32_t offset) const override { return desc_.register_at(offset) != nullptr; }
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;
};

} // namespace mcusim::peripherals
