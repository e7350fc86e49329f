/// \file
/// STM32L4/L4+ flash interface (model "stm32-flash-l4", RM0432 §3.7): the
/// access control register FLASH_ACR (LATENCY, PRFTEN, ICEN, DCEN) stored
/// and read back, as firmware checks after setting the latency. Programming,
/// erase, option bytes and the keys are left to the register file
/// (unmodelled). latency() is the seam for the clock tree: the cycle model's
/// wait states do NOT follow it yet (they come from the device's [flash]
/// table at the run's clock, or --flash-ws).
#pragma once

#include "peripherals/peripheral.h"

namespace mcusim::peripherals {

class Stm32FlashL4 final : public Peripheral {
public:
  static constexpr uint32_t ACR = 0x00;
  using Peripheral::Peripheral;
  static const std::vector<std::pair<const char *, uint32_t>> &required();
  bool models(uint32_t offset) const override { return offset == ACR; }
  /// FLASH_ACR.LATENCY: wait states the firmware programmed (0..15 on the L4+).
  unsigned latency() const { return regs_.read(ACR) & 0xFu; }
  std::optional<unsigned> flash_latency() const override { return latency(); }
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override {
    Peripheral::write_register(offset, value, mask);
    clock_changed();
  }
  bool prefetch() const { return regs_.read(ACR) & (1u << 8); }
  bool icache() const { return regs_.read(ACR) & (1u << 9); }
  bool dcache() const { return regs_.read(ACR) & (1u << 10); }
};

} // namespace mcusim::peripherals
