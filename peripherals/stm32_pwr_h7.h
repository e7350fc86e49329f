/// \file
/// STM32H7A3/B3 power control (model "stm32-pwr-h7"): the voltage scaling of
/// Stm32PwrVos (PWR_SRDCR.VOS, PWR_CSR1.ACTVOS) and the low-power mode the
/// CPU's deep sleep enters, from PWR_CPUCR (RM0455 §6.8.5; bits as in the
/// STM32H7B3 SVD: RETDS_CD 0, PDDS_SRD 2, STOPF 5, SBF 6, CSSF 9, RUN_SRD 11):
///
/// - SLEEPDEEP with PDDS_SRD = 0: the system Stop mode (the CD domain in
///   DStop, or in DStop2 with RETDS_CD = 1: both are the device's "stop";
///   no separate DStop2 figure is described);
/// - SLEEPDEEP with PDDS_SRD = 1: Standby ("standby"), whose wake-up is a
///   reset after which CPUCR.SBF is set.
///
/// The state is chosen from the first write of CPUCR on (before it, the
/// device's deep_sleep, so firmware that never selects a mode sleeps as
/// before). CPUCR.CSSF (write 1, reads 0) clears SBF and STOPF; STOPF and SBF
/// ignore writes. STOPF (set by a wake-up from Stop) is not set by the model.
#pragma once

#include "peripherals/stm32_pwr_vos.h"

namespace mcusim::peripherals {

class Stm32PwrH7 final : public Stm32PwrVos {
public:
  static constexpr uint32_t CPUCR = 0x10;
  static constexpr uint32_t RETDS_CD = 1u << 0, PDDS_SRD = 1u << 2, STOPF = 1u << 5, SBF = 1u << 6, CSSF = 1u << 9;
  Stm32PwrH7(const PeripheralDesc &desc, PeripheralHost &host) : Stm32PwrVos(desc, host, kH7) {}
  static const std::vector<std::pair<const char *, uint32_t>> &required();

  void reset() override;
  bool models(uint32_t offset) const override { return offset == CPUCR || Stm32PwrVos::models(offset); }
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;
  /// "standby" (PDDS_SRD = 1) or "stop"; none until the firmware writes CPUCR.
  std::optional<std::string> low_power_state() const override;
  /// Standby's wake-up: reset, then CPUCR.SBF set.
  void standby_reset() override;

private:
  bool cpucr_written_ = false;
};

} // namespace mcusim::peripherals
