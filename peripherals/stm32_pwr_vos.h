/// \file
/// STM32 voltage scaling (models "stm32-pwr-f4", "stm32-pwr-g0",
/// "stm32-pwr-u5", "stm32-pwr-h7"): a write that changes the VOS field of the
/// control register makes the regulator unready (a ready flag such as VOSRDY
/// drops, or a busy flag such as VOSF rises) until it settles (kSettleUs,
/// through the event scheduler); where the family has one, the "active"
/// register (U5 PWR_SVMSR, H7 PWR_CSR1) then shows the new scale in ACTVOS
/// with ACTVOSRDY, as HAL_PWREx_ControlVoltageScaling reads them. The U5's
/// EPOD booster: BOOSTRDY follows BOOSTEN after kSettleUs. After reset the
/// regulator is settled at its reset scale. Flag bits ignore writes; the rest
/// of each register is stored. The supply configuration (U5 and H7 PWR_CR3,
/// which HAL_PWREx_ConfigSupply writes) is stored and read back: the supply
/// in use does not change the model. Low-power mode entry is not modelled here
/// (the H7A3's is, in Stm32PwrH7, peripherals/stm32_pwr_h7.h).
#pragma once

#include "peripherals/peripheral.h"

namespace mcusim::peripherals {

/// Where a family keeps its voltage scaling (offsets and bits from its reference manual).
struct VosLayout {
  const char *ctrl_name;
  uint32_t ctrl, vos_mask;      ///< the register holding VOS, and the field
  const char *status_name;
  uint32_t status, flag;        ///< the register holding the flag, and the bit
  bool flag_is_busy;            ///< VOSF (1 while settling) rather than VOSRDY (1 when ready)
  const char *active_name;      ///< nullptr: no ACTVOS/ACTVOSRDY register
  uint32_t active, active_ready; ///< ACTVOS sits at the same bits as VOS there
  uint32_t boost_en, boost_ready; ///< in the ctrl register; 0: no booster
  const char *supply_name;        ///< the supply configuration (PWR_CR3), stored and read back; nullptr: none
  uint32_t supply;
};

class Stm32PwrVos : public Peripheral {
public:
  static constexpr double kSettleUs = 20; ///< regulator settling ([UNVERIFIED], as the L4's)
  static const VosLayout kF4, kG0, kU5, kH7;

  Stm32PwrVos(const PeripheralDesc &desc, PeripheralHost &host, const VosLayout &layout);
  /// The registers the model needs for `layout`.
  static std::vector<std::pair<const char *, uint32_t>> required_for(const VosLayout &layout);

  void reset() override;
  bool models(uint32_t offset) const override;
  void write_register(uint32_t offset, uint32_t value, uint32_t mask) override;
  /// The VOS field as programmed (unshifted), and whether the regulator has settled at it.
  uint32_t vos() const;
  bool settled() const;
  /// The run mode for the energy model, named as device files name `[power]`
  /// modes: G0 "range1"/"range2" (PWR_CR1.VOS), F4 "scale1"/"scale2"
  /// (PWR_CR.VOS), U5 "ldo"/"smps" (PWR_CR3.REGSEL, once the firmware writes
  /// CR3); none on the H7 (its device file names no modes).
  std::optional<std::string> power_mode() const override;

private:
  void set_settled(bool on);
  void settle_at_reset();
  const VosLayout &l_;
  Scheduler::EventId settle_ = 0, boost_ = 0;
  bool supply_written_ = false; ///< the firmware wrote the supply configuration (U5 REGSEL)
};

} // namespace mcusim::peripherals
