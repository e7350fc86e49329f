/// \file
/// Battery life from a duty cycle: the average current at the battery (after
/// the supply path), the average power, the life with self-discharge, where
/// the charge goes, and warnings where the design breaks the cell's limits.
/// Formulas: docs/power.md.
#pragma once

#include "power/scenario.h"

#include <optional>
#include <string>
#include <vector>

namespace mcusim::power {

enum class Severity {
  Note,     ///< something the figures do not cover
  Caution,  ///< near a limit (at least 80% of a rating), or an optimistic figure
  Exceeded, ///< a rating or range is broken
};
const char *severity_name(Severity s);

struct Warning {
  Severity severity = Severity::Note;
  std::string message; ///< one line
};

/// One consumer's part of the battery's drain.
struct Share {
  std::string name;       ///< "run", "sleep", a load's name, "regulator quiescent", "self-discharge"
  double battery_ma = 0;  ///< its average current at the battery
  double fraction = 0;    ///< of the total drain, self-discharge included
};

struct Projection {
  double battery_v = 0;          ///< the pack's nominal voltage
  double rail_v = 0;             ///< the MCU's supply voltage
  double average_ma = 0;         ///< average current at the battery, without self-discharge
  double average_mw = 0;         ///< average_ma times the pack's nominal voltage
  double peak_ma = 0;            ///< the highest current at the battery within a period
  double rated_capacity_mah = 0; ///< at the lowest rated load
  double capacity_mah = 0;       ///< derated at average_ma
  double self_discharge_per_year = 0; ///< fraction of the capacity, at the scenario's temperature
  double self_discharge_ma = 0;  ///< the same as an equivalent current
  double life_hours = 0;         ///< capacity / (average + self-discharge); infinite when nothing drains
  double life_days = 0, life_years = 0;
  double life_years_without_self_discharge = 0;
  std::vector<Share> shares;     ///< run, sleep, loads, regulator quiescent, self-discharge
  std::string dominant;          ///< the share with the largest fraction
  std::vector<Warning> warnings; ///< most severe first
  std::optional<Severity> worst() const; ///< nothing when there are no warnings
};

/// Projects a scenario that passed parse_scenario's checks (or one built to
/// the same rules: positive period, run duration and voltages, an SMPS
/// efficiency in (0, 1], at least one capacity point).
Projection project(const Scenario &s);

/// A plain-text summary (several lines) for people.
std::string render_projection(const Scenario &s, const Projection &p);

} // namespace mcusim::power
