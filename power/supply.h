/// \file
/// The supply path between the battery and the MCU's rail: none (the MCU on
/// the cell), a linear regulator (LDO) or a switching regulator (SMPS, DC-DC).
/// Formulas: docs/power.md.
#pragma once

namespace mcusim::power {

enum class RegulatorKind {
  None, ///< the rail is the battery itself
  Ldo,  ///< linear: battery current = rail current; power efficiency = V_rail / V_battery
  Smps, ///< switching: battery current = rail power / (efficiency * V_battery)
};

const char *regulator_name(RegulatorKind k);

struct Supply {
  RegulatorKind regulator = RegulatorKind::None;
  double voltage_v = 0;    ///< the MCU's rail voltage (with no regulator: 0, meaning the battery's nominal voltage)
  double efficiency = 1;   ///< SMPS only: output power / input power, in (0, 1]
  double quiescent_ua = 0; ///< the regulator's own current from the battery, always drawn
  double dropout_v = 0;    ///< LDO only: the least battery-to-rail difference it regulates with

  /// The rail voltage for a battery of `battery_v` volts.
  double rail_v(double battery_v) const { return regulator == RegulatorKind::None ? battery_v : voltage_v; }
  /// The current drawn from the battery for `rail_ma` drawn from the rail at
  /// `load_v` volts, without the quiescent current.
  double battery_ma(double rail_ma, double load_v, double battery_v) const;
};

} // namespace mcusim::power
