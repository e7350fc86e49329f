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
};

/// Parses a scenario; presets are looked up in `preset_dirs`, a `[battery]
/// file` relative to the directory of `file`. Every problem is one line
/// naming the file, the line and the key.
PowerExpected<Scenario> parse_scenario(std::string_view toml_text, const std::string &file,
                                       const std::vector<std::filesystem::path> &preset_dirs);
PowerExpected<Scenario> load_scenario(const std::filesystem::path &file,
                                      const std::vector<std::filesystem::path> &preset_dirs);

} // namespace mcusim::power
