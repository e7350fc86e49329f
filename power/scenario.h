/// \file
/// A battery-life scenario: the battery, the supply path, what one period of
/// the device's duty cycle draws (the active run, sleep between runs, extra
/// loads) and the ambient temperature. Read from TOML; schema: docs/power.md.
#pragma once

#include "power/battery.h"
#include "power/power_error.h"
#include "power/supply.h"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcusim::power {

/// The active run, once per period, drawn from the MCU's rail.
struct RunPhase {
  std::optional<double> energy_uj;  ///< energy of one run at the rail, or
  std::optional<double> current_ua; ///< the average current over the run at the rail
  double duration_s = 0;
};

/// Between runs, drawn from the MCU's rail.
struct SleepPhase {
  std::string mode; ///< a label, e.g. "stop2"
  double current_ua = 0;
  std::optional<double> voltage_v; ///< the rail voltage while asleep (default: the supply voltage)
};

enum class Rail {
  Supply,  ///< through the regulator, at the supply voltage
  Battery, ///< straight from the battery, at its nominal voltage
};

/// An extra load: a continuous current (a sensor) or an energy burst every few runs (a radio).
struct Load {
  std::string name;
  std::optional<double> current_ua; ///< continuous, or
  std::optional<double> energy_mj;  ///< per burst
  int every_runs = 1;               ///< bursts: one every this many runs
  std::optional<double> duration_s; ///< bursts: how long one lasts (for the peak current)
  Rail rail = Rail::Supply;
};

/// The top-level sections of a scenario file.
struct ScenarioParts {
  bool battery = false, supply = false, run = false, duty = false, sleep = false, ambient = false;
};

struct Scenario {
  std::string file;  ///< where it came from
  std::string title; ///< optional label
  Battery battery;
  Supply supply;
  double period_s = 0; ///< from the start of one run to the start of the next
  RunPhase run;
  SleepPhase sleep;
  std::vector<Load> loads;
  double temperature_c = 20;
  ScenarioParts given; ///< the sections the file gave (parse_scenario sets it)
};

/// Parses a scenario; presets are looked up in `preset_dirs`, a `[battery]
/// file` relative to the directory of `file`. Every problem is one line
/// naming the file, the line and the key.
PowerExpected<Scenario> parse_scenario(std::string_view toml_text, const std::string &file,
                                       const std::vector<std::filesystem::path> &preset_dirs);
PowerExpected<Scenario> load_scenario(const std::filesystem::path &file,
                                      const std::vector<std::filesystem::path> &preset_dirs);

/// The same, for a caller that supplies some sections itself (the run from a
/// simulated run, the sleep current from the device's figures, the period and
/// the battery from the command line): those may be absent from the file; a
/// section that is there is read and checked as usual. The checks between
/// sections are made only where the file gives both; check_scenario makes
/// them all once the caller has filled in its parts.
PowerExpected<Scenario> parse_scenario(std::string_view toml_text, const std::string &file,
                                       const std::vector<std::filesystem::path> &preset_dirs,
                                       const ScenarioParts &supplied);
PowerExpected<Scenario> load_scenario(const std::filesystem::path &file,
                                      const std::vector<std::filesystem::path> &preset_dirs,
                                      const ScenarioParts &supplied);

/// Checks a scenario put together in code (or from a file and other parts)
/// against the rules parse_scenario applies to a whole file, so that project()
/// may be called on it: a positive finite period; a run with either energy or
/// current (finite, not negative) and a positive duration no longer than the
/// period; a sleep current that is finite and not negative; a battery with
/// positive voltages and at least one capacity point; a supply voltage with a
/// regulator, an SMPS efficiency in (0, 1]; bursts no longer than the time
/// between them; an LDO that can make its voltage from the battery. The first
/// problem is one line starting with the scenario's file (or "battery
/// scenario") and "impossible battery scenario: ".
tl::expected<void, PowerError> check_scenario(const Scenario &s);

} // namespace mcusim::power
