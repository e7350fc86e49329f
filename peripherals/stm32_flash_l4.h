/// \file
/// STM32 flash interface access control (models "stm32-flash-l4" and
/// "stm32-flash-acr"; RM0432 §3.7.1, RM0090 §3.9.1, RM0444 §3.7.1, RM0456
/// §7.9.1, RM0455 §4.9.1): FLASH_ACR stored and read back, as firmware checks
/// after setting the latency. The cycle model follows LATENCY (flash_latency())
/// and the enables PRFTEN (bit 8), ICEN (bit 9) and DCEN (bit 10)
/// (flash_accel()): each enable from the first write that changes it from its
/// reset value, so firmware that only sets LATENCY keeps the device file's
/// choice (docs/peripherals.md, "The clock"). The bits sit at the same places
/// on the L4/L4+, F4 and G0 (no DCEN on the G0: its bit 10 is reserved) and
/// U5 (PRFTEN only); on the H7 they are reserved. Reserved bits are written
/// at their reset value, so they never take effect. Programming, erase,
/// option bytes and the keys are left to the register file (unmodelled).
#pragma once

#include "peripherals/peripheral.h"

namespace mcusim::peripherals {

class Stm32FlashL4 final : public Peripheral {
public:
  static constexpr uint32_t ACR = 0x00;
  static constexpr uint32_t kPrften = 1u << 8, kIcen = 1u << 9, kDcen = 1u << 10; ///< RM0432 §3.7.1, RM0090 §3.9.1
  using Peripheral::Peripheral;
  static const std::vector<std::pair<const char *, uint32_t>> &required();
  bool models(uint32_t offset) const override { return offset == ACR; }
  void reset() override;
  /// FLASH_ACR.LATENCY: wait states the firmware programmed (0..15 on the L4+).
  unsigned latency() const { return regs_.read(ACR) & 0xFu; }
  std::optional<unsigned> flash_latency() const override { return latency(); }
  /// PRFTEN, ICEN, DCEN: each once a write has changed it from its reset value; none before any.
  std::optional<CoreClock::Accel> flash_accel() const override;
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;
  bool prefetch() const { return regs_.read(ACR) & kPrften; }
  bool icache() const { return regs_.read(ACR) & kIcen; }
  bool dcache() const { return regs_.read(ACR) & kDcen; }

private:
  uint32_t changed_ = 0; ///< enable bits a write has moved away from their reset value
};

} // namespace mcusim::peripherals
