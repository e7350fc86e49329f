/// \file
/// A battery: one cell's figures (voltages, capacity against load current,
/// self-discharge, current limits, temperature range) and how many cells are
/// in series and in parallel. Formulas and their sources: docs/power.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mcusim::power {

/// Hours in a year of 365.25 days.
inline constexpr double kHoursPerYear = 8766.0;

/// The capacity one cell delivers to its cut-off voltage at a constant load.
struct CapacityPoint {
  double current_ma = 0;
  double capacity_mah = 0;
};

struct Battery {
  std::string name;      ///< preset name or "custom"
  std::string title;     ///< one line for people
  std::string chemistry; ///< e.g. "Li/MnO2"

  int series = 1;   ///< cells in series: voltages add, capacity stays
  int parallel = 1; ///< strings in parallel: capacity and current limits add

  // --- one cell ---
  double nominal_v = 0; ///< nominal voltage
  double cutoff_v = 0;  ///< end-of-discharge voltage the capacities are given to
  /// Capacity against load current, currents strictly increasing and capacities
  /// not increasing (checked when parsed).
  std::vector<CapacityPoint> capacity;
  double self_discharge_pct_per_year = 0; ///< at self_discharge_reference_c
  double self_discharge_reference_c = 20;
  std::optional<double> max_continuous_ma; ///< recommended maximum continuous current
  std::optional<double> max_pulse_ma;      ///< recommended maximum pulse current
  std::optional<double> min_temperature_c, max_temperature_c; ///< operating range

  // --- the pack ---
  double pack_nominal_v() const { return nominal_v * series; }
  double pack_cutoff_v() const { return cutoff_v * series; }
  /// The capacity at the lowest rated load (the table's first point), for the pack.
  double rated_capacity_mah() const;
  /// The load current of the table's first point, for the pack.
  double rated_current_ma() const;
  /// The capacity at a constant pack load current: the table interpolated
  /// linearly in ln(current); below the first point the first capacity, above
  /// the last point the last capacity (see beyond_rated_load).
  double capacity_mah(double pack_current_ma) const;
  /// True when the load is above the table's highest current (the capacity
  /// returned for it is then optimistic).
  bool beyond_rated_load(double pack_current_ma) const;
  std::optional<double> pack_max_continuous_ma() const;
  std::optional<double> pack_max_pulse_ma() const;
  /// Self-discharge as a fraction of the capacity per year at `temperature_c`:
  /// the reference figure, doubled for every 10 °C above the reference
  /// temperature (a rule of thumb; not reduced below it).
  double self_discharge_per_year(double temperature_c) const;
};

} // namespace mcusim::power
