/// \file
/// STM32L4/L4+ power control (model "stm32-pwr-l4", RM0432 §5.4): dynamic
/// voltage scaling. A write that changes PWR_CR1.VOS sets PWR_SR2.VOSF,
/// which clears after the regulator's settling time (kVosSettleUs) through
/// the event scheduler; PWR_CR5.R1MODE (Range 1 normal or boost) is stored.
/// PWR_CR1.LPMS selects the state SLEEPDEEP enters (low_power_state(): 000
/// "stop0", 001 "stop1", 010 "stop2", 011 "standby", 1xx "shutdown", RM0432
/// §5.3 'Low-power modes' and §5.4.1) once the firmware has written CR1;
/// the wake-up from Standby sets PWR_SR1.SBF, cleared by PWR_SCR.CSBF
/// (RM0432 §5.4.5, §5.4.7). LPR (low-power run) is left to the register file.
/// power_mode() names the Range for the energy model ("range1", "range2":
/// the stm32l4r5 `[power]` modes; Range 1 boost and normal are both "range1",
/// the device file having one Range 1 row up to 120 MHz).
#pragma once

#include "peripherals/peripheral.h"

namespace mcusim::peripherals {

class Stm32PwrL4 final : public Peripheral {
public:
  static constexpr uint32_t CR3 = 0x08;
  static constexpr uint32_t CR1 = 0x00, SR1 = 0x10, SR2 = 0x14, SCR = 0x18, CR5 = 0x80;
  static constexpr uint32_t kSbf = 1u << 8; ///< PWR_SR1.SBF and PWR_SCR.CSBF
  static constexpr double kVosSettleUs = 20; ///< see docs/peripherals.md ([UNVERIFIED])
  using Peripheral::Peripheral;
  static const std::vector<std::pair<const char *, uint32_t>> &required();
  void reset() override;
  bool models(uint32_t offset) const override {
    return offset == CR1 || offset == SR1 || offset == SR2 || offset == SCR || offset == CR5;
  }
  /// The [[power.state]] name PWR_CR1.LPMS selects; none until the firmware writes CR1
  /// (so firmware that never selects a mode sleeps in the device's deep_sleep state).
  std::optional<std::string> low_power_state() const override;
  /// Standby's wake-up: reset, then PWR_SR1.SBF set (not after Shutdown, whose exit is a power-on reset).
  void standby_reset() override;
  /// "PWR_CR3.RRS": SRAM2 keeps its contents in Standby (RM0432 §5.4.3).
  std::optional<bool> standby_keeps(const std::string &name) const override;
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;
  /// 1 or 2 (PWR_CR1.VOS), 0 for a reserved value.
  unsigned vos_range() const;
  /// PWR_CR1.VOS as the device's run mode: "range1" or "range2"; none for a reserved value.
  std::optional<std::string> power_mode() const override;
  /// Range 1 boost (PWR_CR5.R1MODE = 0 in Range 1): up to 120 MHz.
  bool boost() const { return vos_range() == 1 && !(regs_.read(CR5) & (1u << 8)); }

private:
  Scheduler::EventId settle_ = 0;
  bool lpms_written_ = false;
};

} // namespace mcusim::peripherals
